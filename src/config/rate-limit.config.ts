import { keyIdOf } from '../crypto/sealer';
import { EnvironmentVariables } from './environment';
import { configNamespace } from './config-namespace';

/** Per-client-IP limits on the token and login routes. */
export interface RateLimitSettings {
  perMinute: number;
  /** Shared counters across instances; unset keeps them in this process's memory. */
  redisUrl?: string;
  /**
   * Begins this deployment's counter names in Redis: the key id of ENCRYPTION_SECRET (public: every
   * sealed token carries it). Instances that share the secret serve each other's users and so share
   * a budget; another deployment on the same Redis (staging, a second Spotify app) keeps its own.
   */
  redisKeyPrefix: string;
}

function rateLimitSettings(env: EnvironmentVariables): RateLimitSettings {
  return { perMinute: env.RATE_LIMIT_PER_MINUTE ?? 60, redisUrl: env.REDIS_URL, redisKeyPrefix: keyIdOf(env.ENCRYPTION_SECRET ?? '') };
}

export const rateLimitConfig = configNamespace('rateLimit', rateLimitSettings);
