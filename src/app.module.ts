import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER } from '@nestjs/core';
import { OAuthExceptionFilter } from './common/oauth-exception.filter';
import { validateEnvironment } from './config/environment';
import { httpConfig } from './config/http.config';
import { securityConfig } from './config/security.config';
import { spotifyConfig } from './config/spotify.config';
import { TokenModule } from './token/token.module';

/**
 * The application. `forRoot()` reads and validates the environment when it is called, not
 * when this file is imported, so each test (or instance) gets the configuration it set up.
 */
@Module({})
export class AppModule {
  static forRoot(): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          // `.env` is loaded by main.ts before validation, so tests never pick up a developer's file.
          ignoreEnvFile: true,
          validate: validateEnvironment,
          load: [spotifyConfig, securityConfig, httpConfig],
        }),
        TokenModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: OAuthExceptionFilter }],
    };
  }
}
