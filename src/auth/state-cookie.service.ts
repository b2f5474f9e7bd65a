import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import type { Request, Response } from 'express';
import { StateMismatchError } from '../common/oauth.error';
import { randomToken } from '../common/random-token';
import { sealedCookieAttributes, sealedCookieName } from '../common/sealed-cookie';
import { browserConfig } from '../config/browser.config';
import { CryptoService } from '../crypto/crypto.service';
import { Clock } from '../common/clock';
import { LoginState, parseLoginState, serializeLoginState } from './login-state';

/** A login has ten minutes to come back, like Spotify's authorization codes. */
const STATE_MAX_AGE_MS = 600_000;

/**
 * The login state cookie: sealed with the `state` key (AES-GCM, so it is both signed and
 * unreadable to the browser), short-lived, single-use and `__Host-` named over HTTPS. Nothing is
 * kept in server memory, so any instance sharing `ENCRYPTION_SECRET` can finish a login another
 * one started.
 */
@Injectable()
export class StateCookieService {
  constructor(
    @Inject(browserConfig.KEY) private readonly settings: ConfigType<typeof browserConfig>,
    private readonly crypto: CryptoService,
    private readonly clock: Clock,
  ) {}

  /** A fresh state for a login that starts now: new nonce, new PKCE verifier. */
  create(returnTo: string | undefined): LoginState {
    return { nonce: randomToken(), codeVerifier: randomToken(), returnTo, issuedAt: this.clock.now() };
  }

  issue(response: Response, secure: boolean, state: LoginState): void {
    const sealed = this.crypto.seal('state', serializeLoginState(state));
    response.cookie(sealedCookieName(this.settings.stateCookieName, secure), sealed, { ...sealedCookieAttributes(secure), maxAge: STATE_MAX_AGE_MS });
  }

  /**
   * The state this browser brought back, if this service issued it less than ten minutes ago.
   * @throws StateMismatchError when the cookie is missing, does not open (forged, another
   * deployment's, a retired secret's) or is too old.
   */
  read(request: Request): LoginState {
    const opened = this.crypto.openCookie('state', request.cookies?.[sealedCookieName(this.settings.stateCookieName, request.secure)], parseLoginState);
    if (typeof opened === 'string') throw new StateMismatchError(opened);
    if (this.clock.now() - opened.value.issuedAt > STATE_MAX_AGE_MS) throw new StateMismatchError('expired');
    return opened.value;
  }

  /** Ends the login: the cookie is good for one `/callback`, whatever its outcome. */
  clear(response: Response, secure: boolean): void {
    response.clearCookie(sealedCookieName(this.settings.stateCookieName, secure), sealedCookieAttributes(secure));
  }
}
