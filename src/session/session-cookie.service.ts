import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import type { Request, Response } from 'express';
import { InvalidTokenError } from '../common/oauth.error';
import { Clock } from '../common/clock';
import { sealedCookieAttributes, sealedCookieName } from '../common/sealed-cookie';
import { sessionConfig } from '../config/session.config';
import { CryptoService, OpenedCookie } from '../crypto/crypto.service';
import { parseSession, serializeSession, Session, sessionExpired } from './session';

/** The session cookie's name over plain http (local development). */
export const SESSION_COOKIE = 'spotify_session';
/** Its name over HTTPS (see `sealedCookieName`). */
export const SECURE_SESSION_COOKIE = sealedCookieName(SESSION_COOKIE, true);

/**
 * The session cookie of session mode: the tokens sealed with the `session` key (AES-256-GCM,
 * its own HKDF key, so a sealed refresh token never opens as a session nor the reverse).
 * Nothing is kept in server memory: any instance sharing `ENCRYPTION_SECRET` serves it.
 */
@Injectable()
export class SessionCookieService {
  constructor(
    @Inject(sessionConfig.KEY) private readonly settings: ConfigType<typeof sessionConfig>,
    private readonly crypto: CryptoService,
    private readonly clock: Clock,
  ) {}

  /** Sets (or renews, with a full SESSION_MAX_AGE_DAYS) the cookie holding `session`. */
  issue(response: Response, secure: boolean, session: Session): void {
    const sealed = this.crypto.seal('session', serializeSession(session));
    response.cookie(cookieName(secure), sealed, { ...sealedCookieAttributes(secure), maxAge: this.settings.maxAgeMs });
  }

  /**
   * The session this browser brought. Over HTTPS only the `__Host-` cookie counts: a plain one
   * could have been planted by a network attacker on an http page of the same host.
   * @throws InvalidTokenError when there is no cookie, it does not open (whatever the reason), or
   * the session went SESSION_MAX_AGE_DAYS without a refresh.
   */
  read(request: Request): OpenedCookie<Session> {
    const opened = this.crypto.openCookie('session', request.cookies?.[cookieName(request.secure)], parseSession);
    if (typeof opened === 'string') throw new InvalidTokenError(opened);
    if (sessionExpired(opened.value, this.settings.maxAgeMs, this.clock.now())) throw new InvalidTokenError('expired');
    return opened;
  }

  clear(response: Response, secure: boolean): void {
    response.clearCookie(cookieName(secure), sealedCookieAttributes(secure));
  }
}

function cookieName(secure: boolean): string {
  return sealedCookieName(SESSION_COOKIE, secure);
}
