import { Inject, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import cors from 'cors';
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
    consumer.apply(allowlist).forRoutes(...TOKEN_ROUTES.map((path) => ({ path, method: RequestMethod.ALL })));
  }
}
