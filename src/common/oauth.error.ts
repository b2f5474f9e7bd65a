import type { CookieRefusal } from './sealed-cookie';

/** The OAuth error body (RFC 6749 §5.2); the only error shape this service ever answers with. */
export interface OAuthErrorBody {
  error: string;
  error_description: string;
}

export interface OAuthErrorOptions {
  /** For the log only: never rendered to the client. Must not contain secrets either. */
  detail?: string;
  headers?: Record<string, string>;
}

/**
 * Base of every failure this service reports. Controllers and services throw a subclass;
 * `OAuthExceptionFilter` renders it. Anything else that escapes becomes a bland `server_error`.
 */
export class OAuthError extends Error {
  readonly detail?: string;
  readonly headers: Record<string, string>;

  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
    options: OAuthErrorOptions = {},
  ) {
    super(`${error}: ${description}`);
    this.name = new.target.name;
    this.detail = options.detail;
    this.headers = options.headers ?? {};
  }

  toBody(): OAuthErrorBody {
    return { error: this.error, error_description: this.description };
  }
}

/** Missing or malformed field, wrong content type, unknown route parameter. */
export class InvalidRequestError extends OAuthError {
  constructor(description: string, options?: OAuthErrorOptions) {
    super(400, 'invalid_request', description, options);
  }
}

export class RequestTooLargeError extends OAuthError {
  constructor(limit: string) {
    super(413, 'invalid_request', `Request body is larger than ${limit}`);
  }
}

/** A 4xx that Nest or Express raised on its own (none of ours), relayed with its status. */
export class RefusedRequestError extends OAuthError {
  constructor(status: number, detail: string) {
    super(status, 'invalid_request', 'The request is not valid', { detail });
  }
}

/** A refresh token that does not open. One message for every cause, on purpose. */
export class InvalidGrantError extends OAuthError {
  constructor() {
    super(400, 'invalid_grant', 'Invalid refresh token');
  }
}

/** Spotify's own OAuth error, passed through with its status. */
export class SpotifyGrantError extends OAuthError {}

/** Spotify is rate limiting this service. */
export class TemporarilyUnavailableError extends OAuthError {
  constructor(retryAfter: string | undefined) {
    super(429, 'temporarily_unavailable', 'Spotify is rate limiting requests; retry later', {
      headers: retryAfter ? { 'Retry-After': retryAfter } : {},
    });
  }
}

/** Spotify answered with a 5xx, garbage, or dropped the connection. */
export class UpstreamError extends OAuthError {
  constructor(detail: string) {
    super(502, 'upstream_error', 'Spotify Accounts could not be reached or gave an answer that is not valid', { detail });
  }
}

/** Spotify did not answer within `UPSTREAM_TIMEOUT_MS`. */
export class UpstreamTimeoutError extends OAuthError {
  constructor(timeoutMs: number) {
    super(504, 'upstream_timeout', `Spotify Accounts did not answer within ${timeoutMs} ms`);
  }
}

export class NotFoundError extends OAuthError {
  constructor(description = 'No such route') {
    super(404, 'not_found', description);
  }
}

/** A feature whose configuration is missing: says which variable turns it on. */
export class FeatureDisabledError extends OAuthError {
  constructor(feature: string, variable: string) {
    super(501, 'server_error', `${feature} is not configured on this server: set ${variable}`);
  }
}

export class ServerError extends OAuthError {
  constructor(detail?: string) {
    super(500, 'server_error', 'The server could not handle the request', { detail });
  }
}

/** This service is rate limiting the caller. */
export class SlowDownError extends OAuthError {
  constructor(retryAfterSeconds: number) {
    super(429, 'slow_down', 'Too many requests from this client; retry later', {
      headers: { 'Retry-After': String(Math.max(1, retryAfterSeconds)) },
    });
  }
}

/** The instance is not taking traffic (shutting down). */
export class NotReadyError extends OAuthError {
  constructor() {
    super(503, 'temporarily_unavailable', 'This instance is not ready to serve');
  }
}

/** `/login` asked for a scope Spotify does not know. */
export class InvalidScopeError extends OAuthError {
  constructor(description: string) {
    super(400, 'invalid_scope', description);
  }
}

/** Why a login's state was refused; a metric label, so a fixed set. */
export type StateFailureReason = CookieRefusal | 'expired' | 'mismatch';

const STATE_FAILURE_DETAILS: Record<StateFailureReason, string> = {
  missing: 'no state cookie',
  invalid: 'state cookie does not open',
  expired: 'state cookie expired',
  mismatch: 'state does not match the state cookie',
};

/**
 * The browser came back to `/callback` without a login state this service issued and can
 * still accept. One code for every cause, so a probe learns nothing; the detail is for logs.
 */
export class StateMismatchError extends OAuthError {
  constructor(readonly reason: StateFailureReason) {
    super(400, 'state_mismatch', 'The login state is missing, expired or does not match: start again at /login', {
      detail: STATE_FAILURE_DETAILS[reason],
    });
  }
}

/** Spotify sent the browser back with an error instead of a code, e.g. the user pressed Deny. */
export class AuthorizationRefusedError extends OAuthError {
  constructor(error: string) {
    super(403, error, 'The authorization request was not approved');
  }
}

/** Why `/token` refused a session cookie: as any sealed cookie, or a session past SESSION_MAX_AGE_DAYS; a metric label. */
export type SessionCookieRefusal = CookieRefusal | 'expired';

/**
 * Session mode: no session cookie, one this deployment did not seal (tampered, truncated,
 * another deployment's, a retired secret's, a value sealed for another purpose), or a session
 * that went SESSION_MAX_AGE_DAYS without a refresh. RFC 6750's
 * code for a credential that is not valid; one description for every cause, like refresh tokens.
 * Only a cookie that does not open is logged: a visitor who is not logged in is no news.
 */
export class InvalidTokenError extends OAuthError {
  constructor(readonly reason: SessionCookieRefusal) {
    super(401, 'invalid_token', 'No valid session: log in at /login', {
      detail: reason === 'invalid' ? 'session cookie does not open' : undefined,
    });
  }
}

/** `/metrics` with `METRICS_TOKEN` set, asked without that token (RFC 6750's answer to a missing or wrong bearer token). */
export class ScrapeUnauthorizedError extends OAuthError {
  constructor() {
    super(401, 'invalid_token', 'METRICS_TOKEN is set on this server: send Authorization: Bearer <METRICS_TOKEN>', {
      headers: { 'WWW-Authenticate': 'Bearer realm="metrics"' },
    });
  }
}

/**
 * Spotify refused the session's refresh token (the user removed the app's access, or the token
 * was rotated elsewhere). 401 rather than Spotify's 400: to the page this means "log in again".
 */
export class SessionRevokedError extends OAuthError {
  constructor(spotifyDescription: string) {
    super(401, 'invalid_grant', 'Spotify no longer accepts this session: log in again at /login', {
      detail: `Spotify: ${spotifyDescription}`,
    });
  }
}

/**
 * Session mode: Spotify refused a refresh for a reason of this deployment's (its client
 * credentials, its request), not of the session's. The page can do nothing about it and the
 * session is still good, so it is a 502 to retry later rather than Spotify's 400 or 401, which a
 * page would take for a logged-out user.
 */
export class SessionRefreshRefusedError extends OAuthError {
  constructor(refusal: SpotifyGrantError) {
    super(502, 'upstream_error', "Spotify Accounts refused this service's request; the session is kept: retry later", {
      detail: `Spotify answered ${refusal.status} ${refusal.error}: ${refusal.detail ?? refusal.description}`,
    });
  }
}

/** Which CSRF check a session request failed; a metric label, so a fixed set. */
export type CrossSiteRefusal = 'header' | 'origin';

const CROSS_SITE_DESCRIPTIONS: Record<CrossSiteRefusal, string> = {
  header: 'X-Requested-With header is required (any value): send it with fetch',
  origin: 'Origin is not allowed: only this service\'s own origin and CORS_ORIGINS may use the session',
};

/**
 * A session request that could be a cross-site forgery: `/token` and `/logout` act on the
 * browser's cookie, so they need a header no cross-site form can send and, when the browser
 * names the page's origin, an origin this service trusts.
 */
export class CrossSiteRequestError extends OAuthError {
  constructor(
    readonly reason: CrossSiteRefusal,
    options?: OAuthErrorOptions,
  ) {
    super(403, 'invalid_request', CROSS_SITE_DESCRIPTIONS[reason], options);
  }
}
