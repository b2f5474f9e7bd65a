import { CrossSiteRefusal } from '../common/oauth.error';

/** What the CSRF check looks at in a request. */
export interface CrossSiteSignals {
  /** `X-Requested-With`: any value will do; a cross-site form or link cannot send it. */
  requestedWith: string | string[] | undefined;
  /** `Origin`, when the browser sent one (always on cross-origin fetches, not on same-origin GETs). */
  origin: string | undefined;
  /** This service's origin as the browser sees it; `undefined` when the request names no usable host. */
  ownOrigin: string | undefined;
}

/**
 * `protocol://host` serialised the way browsers write `Origin` (lower-case host, no default port).
 * Only a browser's Host matters here: a client that forges Host can forge Origin too, and CSRF
 * is about what a browser can be made to send.
 */
export function originOf(protocol: string, host: string | undefined): string | undefined {
  if (host === undefined || host === '') return undefined;
  const candidate = `${protocol}://${host}`;
  return URL.canParse(candidate) ? new URL(candidate).origin : undefined;
}

/**
 * Why a session request must be refused as a possible cross-site forgery, or `undefined` to
 * let it through. The custom header forces a cross-origin browser to ask first (a CORS
 * preflight), which only `allowedOrigins` pass; the `Origin` check also stops requests from
 * pages this service does not trust even when no preflight happens.
 */
export function crossSiteRefusal(signals: CrossSiteSignals, allowedOrigins: readonly string[]): CrossSiteRefusal | undefined {
  if (signals.requestedWith === undefined) return 'header';
  return isTrustedOrigin(signals, allowedOrigins) ? undefined : 'origin';
}

/** No `Origin` (a same-origin GET), this service's own, or one of `allowedOrigins`. */
export function isTrustedOrigin({ origin, ownOrigin }: CrossSiteSignals, allowedOrigins: readonly string[]): boolean {
  return origin === undefined || origin === ownOrigin || allowedOrigins.includes(origin);
}

/** Longest origin quoted in a log line: a browser's is short, anything longer is made up. */
const MAX_LOGGED_ORIGIN_LENGTH = 200;

const quotedOrigin = (origin: string) => JSON.stringify(origin.slice(0, MAX_LOGGED_ORIGIN_LENGTH));

/**
 * For the operator's log: which Origin was refused and what it was compared with. A page that
 * CORS_ORIGINS misses (`www.`, a port, http for https) is otherwise a bare 403 to every user.
 */
export function originRefusalDetail(signals: CrossSiteSignals): string {
  // Both come from the request: the Origin header, and the Host (or a trusted X-Forwarded-Host).
  const own = signals.ownOrigin === undefined ? 'no usable Host' : quotedOrigin(signals.ownOrigin);
  return `Origin ${quotedOrigin(signals.origin ?? '')} is neither this service's own (${own}) nor one of CORS_ORIGINS`;
}
