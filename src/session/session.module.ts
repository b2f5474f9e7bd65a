import { Inject, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import cookieParser from 'cookie-parser';
import cors from 'cors';
import { ClockModule } from '../common/clock.module';
import { httpConfig } from '../config/http.config';
import { CryptoModule } from '../crypto/crypto.module';
import { MetricsModule } from '../metrics/metrics.module';
import { MetricsService } from '../metrics/metrics.service';
import { SpotifyModule } from '../spotify/spotify.module';
import { refuseUntrustedPreflight } from './cross-site.guard';
import { SessionCookieService } from './session-cookie.service';
import { SESSION_ROUTES, SessionController } from './session.controller';
import { SessionService } from './session.service';

/**
 * Session mode: the session cookie (exported for `/callback`, which sets it) and the routes
 * that serve it, `/token` and `/logout`.
 */
@Module({
  imports: [SpotifyModule, CryptoModule, MetricsModule, ClockModule],
  controllers: [SessionController],
  providers: [SessionService, SessionCookieService],
  exports: [SessionCookieService],
})
export class SessionModule implements NestModule {
  constructor(
    @Inject(httpConfig.KEY) private readonly settings: ConfigType<typeof httpConfig>,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * Pages on `CORS_ORIGINS` may call the session routes with the cookie (credentials), which
   * needs the exact origin echoed and `Vary: Origin`. Any other origin gets no CORS headers
   * at all, so its browser keeps the answer from it, and its preflight is refused.
   */
  configure(consumer: MiddlewareConsumer): void {
    const allowed = new Set(this.settings.corsOrigins);
    const allowlist = cors({
      origin: (origin, decide) => decide(null, origin !== undefined && allowed.has(origin)),
      methods: ['GET', 'POST'],
      allowedHeaders: ['X-Requested-With', 'X-Request-Id'],
      exposedHeaders: ['Retry-After', 'X-Request-Id'],
      credentials: true,
      maxAge: 600,
    });
    consumer.apply(cookieParser()).forRoutes(SessionController);
    consumer
      .apply(allowlist, refuseUntrustedPreflight(this.settings.corsOrigins, this.metrics))
      .forRoutes(...SESSION_ROUTES.map((path) => ({ path, method: RequestMethod.ALL })));
  }
}
