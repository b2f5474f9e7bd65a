import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { StateMismatchError } from '../common/oauth.error';
import { safeEqual } from '../common/safe-equal';
import { attachVerifiedLoginState } from './request.decorators';
import { StateCookieService } from './state-cookie.service';

/**
 * Runs before `/callback` redeems anything: the state cookie must open, be under ten minutes
 * old, and hold the nonce Spotify echoed as `state` (compared in constant time). This is the
 * CSRF defence of the login: a code arriving in someone else's browser is never redeemed.
 */
@Injectable()
export class StateGuard implements CanActivate {
  constructor(private readonly stateCookie: StateCookieService) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    const state = this.stateCookie.read(request);
    const echoed: unknown = request.query.state;
    if (typeof echoed !== 'string' || !safeEqual(state.nonce, echoed)) {
      throw new StateMismatchError('mismatch');
    }
    attachVerifiedLoginState(request, state);
    return true;
  }
}
