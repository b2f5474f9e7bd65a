import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';
import { SlowDownError } from '../common/oauth.error';

/**
 * `RATE_LIMIT_PER_MINUTE` per client IP (`req.ip`, which honours `TRUST_PROXY`), answered
 * as the OAuth `slow_down` error with `Retry-After`.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  /** One budget per client across every limited route, not one per route. */
  protected override generateKey(_context: ExecutionContext, tracker: string, throttlerName: string): string {
    return `${throttlerName}:${tracker}`;
  }

  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new SlowDownError(detail.timeToBlockExpire);
  }
}
