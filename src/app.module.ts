import { DynamicModule, Module } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER } from '@nestjs/core';
import { AuthModule } from './auth/auth.module';
import { OAuthExceptionFilter } from './common/oauth-exception.filter';
import { browserConfig } from './config/browser.config';
import { EnvironmentVariables } from './config/environment';
import { httpConfig } from './config/http.config';
import { securityConfig } from './config/security.config';
import { spotifyConfig } from './config/spotify.config';
import { DemoModule } from './demo/demo.module';
import { HealthModule } from './health/health.module';
import { LoggingModule } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { rateLimitConfig } from './config/rate-limit.config';
import { sessionConfig } from './config/session.config';
import { SessionModule } from './session/session.module';
import { TokenModule } from './token/token.module';

export interface AppOptions {
  /** Where logs go instead of stdout; tests read every line from it. */
  logDestination?: DestinationStream;
}

const CONFIG_NAMESPACES = [spotifyConfig, securityConfig, httpConfig, rateLimitConfig, browserConfig, sessionConfig];

/**
 * The application, configured from `environment`: validated once by the caller (main.ts, a
 * test) and never read again from process.env, so each test (or instance) gets the
 * configuration it built.
 */
@Module({})
export class AppModule {
  static forRoot(environment: EnvironmentVariables, options: AppOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          // `.env` is loaded by main.ts before validation, so tests never pick up a developer's file.
          ignoreEnvFile: true,
          // No `validate` hook: the environment is validated already, and the hook would copy
          // values, secrets read from NAME_FILE included, back into process.env.
          load: CONFIG_NAMESPACES.map((namespace) => namespace.build(environment)),
        }),
        LoggingModule.forRoot(options.logDestination),
        MetricsModule,
        HealthModule,
        RateLimitModule,
        TokenModule,
        AuthModule,
        SessionModule,
        DemoModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: OAuthExceptionFilter }],
    };
  }
}
