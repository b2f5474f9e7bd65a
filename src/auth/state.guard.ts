import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { StateMismatchError } from '../common/oauth.error';
import { attachVerifiedLoginState } from './request.decorators';
import { StateCookieService } from './state-cookie.service';

/**
 * Runs before `/callback` redeems anything: the cookie of the login `state` names must open, hold
 * that nonce (compared in constant time) and be under ten minutes old. This is the CSRF defence
 * of the login: a code arriving in someone else's browser is never redeemed.
 */
@Injectable()
export class StateGuard implements CanActivate {
  constructor(private readonly stateCookie: StateCookieService) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    const state = this.stateCookie.read(request);
    // Sealed by this service for this login, so its return_to passed /login's check: an expired
    // login lands there too, not on another app's page.
    attachVerifiedLoginState(request, state);
    if (this.stateCookie.expired(state)) throw new StateMismatchError('expired');
    return true;
  }
}
