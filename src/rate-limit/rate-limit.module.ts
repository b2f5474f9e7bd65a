import { Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { ThrottlerModule } from '@nestjs/throttler';
import { rateLimitConfig } from '../config/rate-limit.config';
import { RateLimitStore } from './rate-limit.store';
import { RateLimitStoreModule } from './rate-limit-store.module';

const ONE_MINUTE_MS = 60_000;

/** Registers the throttler; routes opt in with `@UseGuards(RateLimitGuard)`. */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      imports: [RateLimitStoreModule],
      inject: [rateLimitConfig.KEY, RateLimitStore],
      useFactory: (settings: ConfigType<typeof rateLimitConfig>, storage: RateLimitStore) => ({
        throttlers: [{ ttl: ONE_MINUTE_MS, limit: settings.perMinute }],
        storage,
      }),
    }),
  ],
})
export class RateLimitModule {}
