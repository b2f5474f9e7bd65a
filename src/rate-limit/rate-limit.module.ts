import { Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { ThrottlerModule } from '@nestjs/throttler';
import { rateLimitConfig } from '../config/rate-limit.config';
import { MetricsModule } from '../metrics/metrics.module';
import { RateLimitStore } from './rate-limit.store';

const ONE_MINUTE_MS = 60_000;

@Module({
  imports: [MetricsModule],
  providers: [RateLimitStore],
  exports: [RateLimitStore],
})
class RateLimitStoreModule {}

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
