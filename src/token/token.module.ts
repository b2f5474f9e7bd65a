import { Inject, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import cors from 'cors';
import { bodyParser } from '../common/body-parsers';
import { httpConfig } from '../config/http.config';
import { CryptoModule } from '../crypto/crypto.module';
import { MetricsModule } from '../metrics/metrics.module';
import { SpotifyModule } from '../spotify/spotify.module';
import { TOKEN_ROUTES, TokenController } from './token.controller';
import { TokenService } from './token.service';

@Module({
  imports: [SpotifyModule, CryptoModule, MetricsModule],
  controllers: [TokenController],
  providers: [TokenService],
})
export class TokenModule implements NestModule {
  constructor(@Inject(httpConfig.KEY) private readonly settings: ConfigType<typeof httpConfig>) {}

  /**
   * Browsers on `CORS_ORIGINS` may call the token routes (preflight included). No credentials:
   * these routes take everything in the body. Other origins get no CORS headers at all.
   * The body is read after CORS, so a refused body (400, 413) still reaches an allowed page as
   * JSON it can read, and after the request logger (global, so registered first), so it still
   * gets its access line. No other route takes a body.
   */
  configure(consumer: MiddlewareConsumer): void {
    const allowlist = cors({
      origin: this.settings.corsOrigins,
      methods: ['POST'],
      allowedHeaders: ['Content-Type', 'X-Request-Id'],
      exposedHeaders: ['Retry-After', 'X-Request-Id'],
      credentials: false,
      maxAge: 600,
    });
    consumer.apply(allowlist, bodyParser()).forRoutes(...TOKEN_ROUTES.map((path) => ({ path, method: RequestMethod.ALL })));
  }
}
