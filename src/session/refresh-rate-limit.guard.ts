import { ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { RateLimitGuard } from '../rate-limit/rate-limit.guard';
import { presentedSessionOf } from './session-request';

/**
 * The per-IP budget, for the `/token` calls that go to Spotify. Answering from the cookie costs
 * one AES-GCM open, like a health check, and pages (several users behind one NAT, the Web
 * Playback SDK asking for every reconnect) may do it often; a refresh spends Spotify's rate
 * limit for the whole app, so it counts like a `/refresh`.
 */
@Injectable()
export class RefreshRateLimitGuard extends RateLimitGuard {
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return presentedSessionOf(context.switchToHttp().getRequest<Request>())?.refreshDue !== true;
  }
}
