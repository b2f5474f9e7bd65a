import type { CookieOptions } from 'express';

/**
 * The attributes of every sealed cookie this service sets (login state, session).
 * HttpOnly: no script, and so no XSS, reads what it holds. SameSite=Lax: it rides along on the
 * top-level GET back from Spotify and on the app's own same-site requests, never on a
 * cross-site subrequest or form POST. Secure on HTTPS (behind a proxy too, once TRUST_PROXY
 * lets Express believe X-Forwarded-Proto).
 */
export function sealedCookieAttributes(secure: boolean): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', secure, path: '/' };
}

/**
 * A sealed cookie's name: over HTTPS with the `__Host-` prefix, which browsers accept only on a
 * Secure cookie with Path=/ and no Domain, so neither a sibling subdomain nor a plain-http page of
 * the same host can plant or shadow it (a planted login state would be login CSRF).
 */
export function sealedCookieName(name: string, secure: boolean): string {
  return secure ? `__Host-${name}` : name;
}

/** Why a sealed cookie was refused (none, or not one this service sealed for that purpose); a metric label, so a fixed set. */
export type CookieRefusal = 'missing' | 'invalid';
