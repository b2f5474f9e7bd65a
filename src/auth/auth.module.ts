import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import cookieParser from 'cookie-parser';
import { CryptoModule } from '../crypto/crypto.module';
import { MetricsModule } from '../metrics/metrics.module';
import { SessionModule } from '../session/session.module';
import { SpotifyModule } from '../spotify/spotify.module';
import { AuthController } from './auth.controller';
import { ClockModule } from '../common/clock.module';
import { LandingPages } from './landing-pages';
import { LoginService } from './login.service';
import { StateCookieService } from './state-cookie.service';

/** Browser login: `/login` and `/callback`, with the state cookie and the landing pages. */
@Module({
  imports: [SpotifyModule, CryptoModule, MetricsModule, ClockModule, SessionModule],
  controllers: [AuthController],
  providers: [LoginService, StateCookieService, LandingPages],
})
export class AuthModule implements NestModule {
  /** Cookies for these routes (the session routes mount their own parser); no secret: CryptoService seals ours. */
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(cookieParser()).forRoutes(AuthController);
  }
}
