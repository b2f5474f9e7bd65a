import { registerAs } from '@nestjs/config';
import { EnvironmentVariables, validateEnvironment } from './environment';

/** How this service listens and logs. */
export interface HttpSettings {
  port: number;
  production: boolean;
  accessLog: boolean;
  logLevel: string;
}

export function httpSettings(env: EnvironmentVariables): HttpSettings {
  return {
    port: env.PORT ?? 5000,
    production: env.NODE_ENV === 'production',
    accessLog: env.ACCESS_LOG !== 'off',
    logLevel: env.LOG_LEVEL ?? 'info',
  };
}

export const httpConfig = registerAs('http', () => httpSettings(validateEnvironment(process.env)));
