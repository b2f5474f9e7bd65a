import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import Redis from 'ioredis';
import { rateLimitConfig } from '../config/rate-limit.config';
import { MetricsService } from '../metrics/metrics.service';
import { RestingGate } from './resting-gate';

type StorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** At most one "store unreachable" log line per this many milliseconds. */
const ERROR_LOG_INTERVAL_MS = 10_000;

/** After Redis fails a check slowly, count in memory this long before asking it again (see RestingGate). */
const STORE_REST_MS = 5_000;

/** A failure this slow cost the request a wait: a fifth of the 500 ms command timeout. */
const SLOW_FAILURE_MS = 100;

/**
 * Rate-limit counters: in Redis when `REDIS_URL` is set, so the limit holds across instances;
 * in memory otherwise. When Redis cannot be reached the check falls back to this instance's
 * own counters (logged and counted) instead of refusing every user or dropping the limit, and
 * keeps to them while Redis rests.
 */
@Injectable()
export class RateLimitStore implements ThrottlerStorage, OnApplicationShutdown {
  private readonly logger = new Logger(RateLimitStore.name);
  private readonly local = new ThrottlerStorageService();
  private readonly redis?: Redis;
  private readonly shared?: ThrottlerStorageRedisService;
  private readonly sharedKeyPrefix: string;
  private lastErrorLog = 0;
  /**
   * A failure was logged and no check has reached Redis since: the next one that does says so.
   * Set only with a logged failure, so the two lines alternate even while Redis flaps.
   */
  private storeFailed = false;
  private readonly gate = new RestingGate(STORE_REST_MS, SLOW_FAILURE_MS);

  constructor(
    @Inject(rateLimitConfig.KEY) settings: ConfigType<typeof rateLimitConfig>,
    private readonly metrics: MetricsService,
  ) {
    this.sharedKeyPrefix = settings.redisKeyPrefix;
    if (settings.redisUrl) {
      this.redis = new Redis(settings.redisUrl, {
        // Fail fast while disconnected instead of queueing requests behind a dead store.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        connectTimeout: 1000,
        commandTimeout: 500,
        // A socket that goes silent after a write is dropped and reconnected: across a partition
        // that drops packets the kernel would hold it for many minutes, long after Redis is back.
        socketTimeout: 1000,
        // disconnect() arms a timer of this length to destroy the socket if it will not close; when
        // the socket is already gone (Redis down, client reconnecting), that timer is never cleared
        // and holds the process open (ioredis#1247). Counters are disposable: no need to wait.
        disconnectTimeout: 100,
      });
      this.redis.on('error', (error: Error) => this.logStoreError(error));
      this.shared = new ThrottlerStorageRedisService(this.redis);
    }
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<StorageRecord> {
    const shared = this.shared;
    if (shared) {
      const record = await this.gate.attempt(
        () => shared.increment(`${this.sharedKeyPrefix}:${key}`, ttl, limit, blockDuration, throttlerName),
        (error) => this.logStoreError(error as Error),
      );
      if (record) {
        if (this.storeFailed) this.logStoreBack();
        return record;
      }
      this.metrics.countLocalRateLimitCheck();
    }
    return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
  }

  onApplicationShutdown(): void {
    this.local.onApplicationShutdown();
    // Nothing to flush: counters are disposable, and QUIT can reject if Redis closes first.
    this.redis?.disconnect();
  }

  private logStoreError(error: Error): void {
    const now = Date.now();
    if (now - this.lastErrorLog < ERROR_LOG_INTERVAL_MS) return;
    this.lastErrorLog = now;
    this.storeFailed = true;
    this.logger.warn(`Rate-limit store (Redis) unreachable, counting in this instance only: ${error.message}`);
  }

  private logStoreBack(): void {
    this.storeFailed = false;
    this.logger.log('Rate-limit store (Redis) answers again: counting across instances');
  }
}
