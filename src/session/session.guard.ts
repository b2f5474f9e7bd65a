import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { Clock } from '../common/clock';
import { refreshDue } from './session';
import { SessionCookieService } from './session-cookie.service';
import { attachPresentedSession } from './session-request';

/**
 * `/token` needs a session cookie this deployment sealed; it is opened once, here, before the
 * rate limit (which only counts requests that will call Spotify) and the handler.
 */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(
    private readonly cookies: SessionCookieService,
    private readonly clock: Clock,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    const opened = this.cookies.read(request);
    attachPresentedSession(request, { ...opened, refreshDue: refreshDue(opened.value, this.clock.now()) });
    return true;
  }
}
