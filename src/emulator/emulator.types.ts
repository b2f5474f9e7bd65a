/** A Spotify app registered with the emulator, as on Spotify's developer dashboard. */
export interface EmulatorClient {
  clientId: string;
  clientSecret: string;
  /** Exact strings, compared verbatim like Spotify does. */
  redirectUris: string[];
}

/** Options of {@link SpotifyEmulator}; every field has a default. */
export interface SpotifyEmulatorOptions {
  /** Registered apps; default one client `emulator-client-id` / `emulator-client-secret`. */
  clients?: EmulatorClient[];
  /** Skip the consent page: `/authorize` redirects with a code at once. Default false. */
  autoApprove?: boolean;
  /** A refresh grant returns a new refresh token and retires the old one. Default false. */
  rotateRefreshTokens?: boolean;
  /** `expires_in` of issued access tokens. Default 3600. */
  accessTokenTtlSeconds?: number;
  /** Serve HTTPS with this key pair instead of plain HTTP. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Idle keep-alive sockets are closed after this long, like Node's and Spotify's 5 s. */
  keepAliveTimeoutMs?: number;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Fixed delay before every `/api/token` answer. Default 0. */
  latencyMs?: number;
  /** Clock in epoch milliseconds, injectable so tests can move time. Default `Date.now`. */
  now?: () => number;
  /**
   * Keep every `/api/token` and `/v1/me` request for `requests` (tests read them). Default true;
   * a long-running emulator (offline mode, the benchmark) turns it off, or memory only grows.
   */
  recordRequests?: boolean;
}

/**
 * A misbehaviour of `/api/token`, queued with `injectFault`.
 * Each kind stands for one way a real upstream fails a client.
 */
export type EmulatorFault =
  | { kind: 'latency'; ms: number }
  | { kind: 'status'; status: number; body?: string; contentType?: string }
  | { kind: 'rate-limit'; retryAfterSeconds: number }
  | { kind: 'truncated' }
  /** Headers at once, then the body one byte per `byteIntervalMs`: never idle, never done in time. */
  | { kind: 'trickle'; byteIntervalMs: number }
  | { kind: 'non-json' }
  | { kind: 'garbage-json' }
  | { kind: 'hang' }
  /** The connection reset with no answer; `afterGranting`: the grant was made first, as when an answer is lost on its way back (a code is spent). */
  | { kind: 'reset'; afterGranting?: boolean };

/** One request the emulator received on `/api/token` or `/v1/me`. */
export interface RecordedRequest {
  method: string;
  /** Path and query string as sent. */
  path: string;
  /** Lower-case names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  body: string;
  /** The form fields when the body was form-urlencoded, else empty. */
  form: Record<string, string>;
  /** Epoch milliseconds from the emulator's clock. */
  time: number;
}

/** What an endpoint wants written back, kept apart from the socket so it can be unit tested. */
export type EmulatorReply =
  | { type: 'json'; status: number; body: unknown; headers?: Record<string, string> }
  | { type: 'html'; status: number; html: string; headers?: Record<string, string> }
  | { type: 'redirect'; location: string };
