import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { StateFailureReason } from '../common/oauth.error';

/** How busy the pool of sockets to Spotify is, summed over upstream origins (one in practice). */
export interface SpotifyPoolLoad {
  /** Open sockets, busy or idle. */
  connected: number;
  /** Calls on a socket now. */
  running: number;
  /** Calls waiting for a free socket: the pool is at `UPSTREAM_MAX_SOCKETS`. */
  queued: number;
}

/** How one call to Spotify ended; the label operators alert on. */
export type UpstreamOutcome = 'ok' | 'oauth_error' | 'rate_limited' | 'upstream_error' | 'timeout';
export type UpstreamOperation = 'exchange_code' | 'refresh_token';
/**
 * Which key opened a refresh token: `previous` means a retired secret is still in use;
 * `unknown_key`, none did and the token names a key no configured secret has (a secret dropped
 * too early, or another deployment's token); `failed`, anything else that did not open.
 */
export type RefreshTokenOpen = 'current' | 'previous' | 'unknown_key' | 'failed';
/** Where a session's `/token` answer came from: the cookie as it was, or a refresh with Spotify. */
export type SessionTokenSource = 'cache' | 'refreshed';
/** Error codes a landing page can get that count under their own name in `browser_logins_total`. */
export const LABELLED_LOGIN_ERRORS = [
  'state_mismatch',
  'slow_down',
  'invalid_request',
  'invalid_grant',
  'invalid_client',
  'temporarily_unavailable',
  'upstream_error',
  'upstream_timeout',
  'server_error',
] as const;
/**
 * How a browser login ended at `/callback`: `ok`; `refused` at Spotify (Deny: the code in the
 * browser's query is whatever the browser says, so it is no label); one of the labelled error
 * codes; `other` for any other code Spotify answered with.
 */
export type BrowserLoginOutcome = 'ok' | 'refused' | 'other' | (typeof LABELLED_LOGIN_ERRORS)[number];
/**
 * Spotify's OAuth error codes that count under their own name in `spotify_oauth_errors_total`;
 * any other is `other`. `invalid_grant` is the user's (a used or expired code, a revoked token);
 * the rest point at this deployment (its client credentials, its redirect URI, its requests).
 */
export const LABELLED_SPOTIFY_ERRORS = ['invalid_grant', 'invalid_client', 'unauthorized_client', 'invalid_request', 'unsupported_grant_type', 'invalid_scope'] as const;
/** `code` when it is one of `labels`, else `other`: a label from outside stays within a fixed set. */
export function labelFor<T extends string>(labels: readonly T[], code: string): T | 'other' {
  return (labels as readonly string[]).includes(code) ? (code as T) : 'other';
}
/** Why a session request failed: no or bad cookie, revoked at Spotify, a CSRF check, Spotify failing. */
export type SessionFailureReason = 'missing' | 'invalid' | 'expired' | 'revoked' | 'csrf_header' | 'csrf_origin' | 'upstream';

/** The methods some route answers. Node parses some 30 more, and each would be a new series any client could add. */
const SERVED_METHODS = new Set(['GET', 'HEAD', 'POST', 'OPTIONS']);

/**
 * Every metric this service exports, in one registry per application instance (so several
 * instances in one test process do not share counters). Labels are bounded sets: route
 * templates, never raw URLs, so tokens never reach a label and cardinality stays fixed.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  private readonly httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by route template and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  private readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route template and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  private readonly upstreamDuration = new Histogram({
    name: 'spotify_request_duration_seconds',
    help: 'Calls to Spotify Accounts, by operation and outcome.',
    labelNames: ['operation', 'outcome'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  private readonly refreshTokenOpens = new Counter({
    name: 'refresh_token_opens_total',
    help: 'Sealed refresh tokens presented, by the key that opened them (unknown_key: none, and the token names a key no configured secret has; failed: none, for any other reason).',
    labelNames: ['key'] as const,
    registers: [this.registry],
  });

  private readonly stateFailures = new Counter({
    name: 'login_state_failures_total',
    help: 'Browser logins refused at /callback because of the state check, by reason.',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  private readonly browserLogins = new Counter({
    name: 'browser_logins_total',
    help: 'Browser logins finished at /callback, by outcome: ok, refused at Spotify, or the error code the landing page got.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  private readonly sessionTokenAnswers = new Counter({
    name: 'session_token_answers_total',
    help: 'Access tokens handed out by /token in session mode, by source (cache: no call to Spotify).',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });

  private readonly sessionFailures = new Counter({
    name: 'session_failures_total',
    help: 'Session-mode requests (/token, /logout) refused or failed, by reason.',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  private readonly spotifyOAuthErrors = new Counter({
    name: 'spotify_oauth_errors_total',
    help: "Spotify's OAuth error answers, by error code: invalid_grant is the user's; any other points at this deployment's configuration.",
    labelNames: ['error'] as const,
    registers: [this.registry],
  });

  private readonly rateLimitStoreErrors = new Counter({
    name: 'rate_limit_store_errors_total',
    help: 'Rate-limit checks counted in memory by this instance because the shared store (Redis) failed them or was resting after a slow failure.',
    registers: [this.registry],
  });

  private readonly encryptionKeys = new Gauge({
    name: 'encryption_key_info',
    help: 'Key ids of ENCRYPTION_SECRET (role current: it seals) and of each ENCRYPTION_SECRET_PREVIOUS entry (previous: opens only); always 1.',
    labelNames: ['key_id', 'role'] as const,
    registers: [this.registry],
  });

  private spotifyPoolLoad?: () => SpotifyPoolLoad;

  // Read at scrape time: a pool at UPSTREAM_MAX_SOCKETS shows as queued calls here, where the
  // request durations alone would make it look like a slow Spotify.
  private readonly spotifyPoolConnections: Gauge = new Gauge({
    name: 'spotify_pool_connections',
    help: 'Keep-alive sockets open to Spotify Accounts, busy or idle (at most UPSTREAM_MAX_SOCKETS).',
    registers: [this.registry],
    collect: () => this.spotifyPoolConnections.set(this.spotifyPoolLoad?.().connected ?? 0),
  });

  private readonly spotifyPoolRequests: Gauge<'state'> = new Gauge({
    name: 'spotify_pool_requests',
    help: 'Calls to Spotify Accounts now: running on a socket, or queued for a free one (the pool is full).',
    labelNames: ['state'] as const,
    registers: [this.registry],
    collect: () => {
      const load = this.spotifyPoolLoad?.();
      this.spotifyPoolRequests.set({ state: 'running' }, load?.running ?? 0);
      this.spotifyPoolRequests.set({ state: 'queued' }, load?.queued ?? 0);
    },
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /**
   * The key ids this instance seals and opens with (public: every sealed token carries its key's).
   * During a rotation they tell which instances run which step.
   */
  describeEncryptionKeys(current: string, previous: readonly string[]): void {
    this.encryptionKeys.set({ key_id: current, role: 'current' }, 1);
    for (const keyId of previous) this.encryptionKeys.set({ key_id: keyId, role: 'previous' }, 1);
  }

  /** Where the Spotify pool gauges read from, once the pool exists. */
  watchSpotifyPool(load: () => SpotifyPoolLoad): void {
    this.spotifyPoolLoad = load;
  }

  observeHttp(method: string, route: string, status: number, seconds: number): void {
    const labels = { method: SERVED_METHODS.has(method) ? method : 'other', route, status: String(status) };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, seconds);
  }

  observeUpstream(operation: UpstreamOperation, outcome: UpstreamOutcome, seconds: number): void {
    this.upstreamDuration.observe({ operation, outcome }, seconds);
  }

  countSpotifyOAuthError(code: string): void {
    this.spotifyOAuthErrors.inc({ error: labelFor(LABELLED_SPOTIFY_ERRORS, code) });
  }

  countRefreshTokenOpen(key: RefreshTokenOpen): void {
    this.refreshTokenOpens.inc({ key });
  }

  countStateFailure(reason: StateFailureReason): void {
    this.stateFailures.inc({ reason });
  }

  countBrowserLogin(outcome: BrowserLoginOutcome): void {
    this.browserLogins.inc({ outcome });
  }

  countLocalRateLimitCheck(): void {
    this.rateLimitStoreErrors.inc();
  }

  countSessionToken(source: SessionTokenSource): void {
    this.sessionTokenAnswers.inc({ source });
  }

  countSessionFailure(reason: SessionFailureReason): void {
    this.sessionFailures.inc({ reason });
  }
}
