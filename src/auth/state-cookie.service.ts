import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import type { Request, Response } from 'express';
import { StateMismatchError } from '../common/oauth.error';
import { randomToken } from '../common/random-token';
import { safeEqual } from '../common/safe-equal';
import { sealedCookieAttributes, sealedCookieName } from '../common/sealed-cookie';
import { browserConfig } from '../config/browser.config';
import { CryptoService } from '../crypto/crypto.service';
import { Clock } from '../common/clock';
import { LoginState, parseLoginState, serializeLoginState } from './login-state';

/** A login has ten minutes to come back, like Spotify's authorization codes. */
const STATE_MAX_AGE_MS = 600_000;

/** What randomToken writes: a `state` of any other shape names no login. */
const NONCE_SHAPE = /^[\w-]{43}$/;

/** How much of the nonce names its login's cookie: 48 bits, so one browser's logins never share a name. */
const NAME_TAG_LENGTH = 8;

/** A login cookie's name after `STATEKEY_`: anything else (the session cookie under a short STATEKEY, an app's own) is not ours to clear. */
const NAME_TAG = new RegExp(`^[\\w-]{${NAME_TAG_LENGTH}}$`);

/**
 * The browser keeps a login's cookie a minute past the login's ten, so a late return is still
 * told apart from a missing login (`expired`) and lands on the login's own page.
 */
const COOKIE_MAX_AGE_MS = STATE_MAX_AGE_MS + 60_000;

/**
 * The most a browser's logins in progress may hold in its Cookie header. A login abandoned at
 * Spotify keeps its cookie for ten minutes; uncapped, a few long `return_to`s would outgrow a
 * proxy's header limit (nginx refuses a header line over 8 KB) and lock the browser out of
 * every route until they expire.
 */
const PENDING_LOGINS_BUDGET_BYTES = 4096;

/** `name=value; ` in a Cookie header. */
const cookieBytes = (name: string, value: string) => name.length + value.length + 3;

/**
 * The login state cookies: one per login in progress, named after its nonce, so that two tabs
 * logging in at once (every open tab of a session-mode page whose session ended) each come back
 * to their own. Sealed with the `state` key (AES-GCM, so both signed and unreadable to the
 * browser), short-lived, single-use and `__Host-` named over HTTPS. Nothing is kept in server
 * memory, so any instance sharing `ENCRYPTION_SECRET` can finish a login another one started.
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

  /** Sets the cookie of a new login, clearing the browser's oldest ones when they would not fit beside it. */
  issue(request: Request, response: Response, state: LoginState): void {
    const name = this.cookieName(state.nonce, request.secure);
    const sealed = this.crypto.seal('state', serializeLoginState(state));
    for (const retired of this.pushedOut(request, cookieBytes(name, sealed))) {
      response.clearCookie(retired, sealedCookieAttributes(request.secure));
    }
    response.cookie(name, sealed, { ...sealedCookieAttributes(request.secure), maxAge: COOKIE_MAX_AGE_MS });
  }

  /**
   * The state of the login this `/callback` names, if its cookie is one this service sealed.
   * Its age is judged apart ({@link expired}), so that an expired login still lands on its own page.
   * @throws StateMismatchError when `state` names no login, its cookie is missing or does not open
   * (forged, another deployment's, a retired secret's), or holds another nonce.
   */
  read(request: Request): LoginState {
    const echoed = echoedNonce(request);
    if (echoed === undefined) throw new StateMismatchError('mismatch');
    const opened = this.crypto.openCookie('state', request.cookies?.[this.cookieName(echoed, request.secure)], parseLoginState);
    if (typeof opened === 'string') throw new StateMismatchError(opened);
    if (!safeEqual(opened.value.nonce, echoed)) throw new StateMismatchError('mismatch');
    return opened.value;
  }

  expired(state: LoginState): boolean {
    return this.clock.now() - state.issuedAt > STATE_MAX_AGE_MS;
  }

  /** Ends the login this `/callback` names: its cookie is good for one `/callback`, whatever the outcome; other logins keep theirs. */
  clear(request: Request, response: Response): void {
    const echoed = echoedNonce(request);
    if (echoed !== undefined) response.clearCookie(this.cookieName(echoed, request.secure), sealedCookieAttributes(request.secure));
  }

  private cookieName(nonce: string, secure: boolean): string {
    return sealedCookieName(`${this.settings.stateCookieName}_${nonce.slice(0, NAME_TAG_LENGTH)}`, secure);
  }

  /** The browser's login cookies that do not open, and the oldest of the rest beyond what fits beside `newBytes`. */
  private pushedOut(request: Request, newBytes: number): string[] {
    const prefix = this.cookieName('', request.secure);
    const retired: string[] = [];
    const pending: Array<{ name: string; bytes: number; issuedAt: number }> = [];
    for (const [name, value] of Object.entries((request.cookies ?? {}) as Record<string, unknown>)) {
      if (!name.startsWith(prefix) || !NAME_TAG.test(name.slice(prefix.length))) continue;
      const opened = this.crypto.openCookie('state', value, parseLoginState);
      if (typeof opened === 'string') retired.push(name);
      else pending.push({ name, bytes: cookieBytes(name, value as string), issuedAt: opened.value.issuedAt });
    }
    let used = newBytes;
    for (const { name, bytes } of pending.sort((a, b) => b.issuedAt - a.issuedAt)) {
      if (used + bytes <= PENDING_LOGINS_BUDGET_BYTES) used += bytes;
      else retired.push(name);
    }
    return retired;
  }
}

function echoedNonce(request: Request): string | undefined {
  const echoed: unknown = request.query.state;
  return typeof echoed === 'string' && NONCE_SHAPE.test(echoed) ? echoed : undefined;
}
