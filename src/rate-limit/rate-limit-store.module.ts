import { Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module';
import { RateLimitStore } from './rate-limit.store';

/** The throttler's storage, in a module of its own so ThrottlerModule.forRootAsync can inject it. */
@Module({
  imports: [MetricsModule],
  providers: [RateLimitStore],
  exports: [RateLimitStore],
})
export class RateLimitStoreModule {}
