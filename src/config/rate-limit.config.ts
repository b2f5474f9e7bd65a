import { EnvironmentVariables } from './environment';
import { configNamespace } from './config-namespace';

/** Per-client-IP limits on the token and login routes. */
export interface RateLimitSettings {
  perMinute: number;
  /** Shared counters across instances; unset keeps them in this process's memory. */
  redisUrl?: string;
}

function rateLimitSettings(env: EnvironmentVariables): RateLimitSettings {
  return { perMinute: env.RATE_LIMIT_PER_MINUTE ?? 60, redisUrl: env.REDIS_URL };
}

export const rateLimitConfig = configNamespace('rateLimit', rateLimitSettings);
