import { parseJsonObject } from '../common/json-object';
import { SpotifyTokens } from '../spotify/spotify-tokens';

/** What the session cookie carries, sealed: the browser can neither read nor change it. */
export interface Session {
  /** Spotify's refresh token, in the clear inside the seal: it never reaches the page. */
  refresh_token: string;
  access_token: string;
  /** Epoch milliseconds. */
  expires_at: number;
  scope: string;
  /**
   * Epoch milliseconds of the last refresh (or the login): the session ends SESSION_MAX_AGE_DAYS
   * after it, as its cookie does, so a copy of an old cookie stops working too. Absent in cookies
   * sealed before it existed; those get it at their next refresh.
   */
  renewed_at?: number;
}

/** Spotify's access tokens live an hour: a session was last renewed that long before its token expires. */
const SPOTIFY_ACCESS_TOKEN_LIFE_MS = 3_600_000;

/** What `GET /token` answers: an access token and nothing that outlives it. */
export interface SessionTokenAnswer {
  access_token: string;
  token_type: 'Bearer';
  /** Seconds left, counted from now, not from when Spotify issued the token. */
  expires_in: number;
  scope: string;
}

/**
 * `/token` refreshes once an access token has less than this left, so the page never receives
 * one that dies while its request to the Web API is still on the way.
 */
const REFRESH_MARGIN_MS = 60_000;

function sessionOf(refreshToken: string, tokens: SpotifyTokens, scope: string, now: number): Session {
  return { refresh_token: refreshToken, access_token: tokens.access_token, expires_at: now + tokens.expires_in * 1000, scope, renewed_at: now };
}

/**
 * Whether the session went longer than `maxAgeMs` without a refresh. A cookie sealed before
 * `renewed_at` existed is dated by its access token, so a copy taken long ago stays dead instead
 * of earning a fresh life at its next refresh.
 */
export function sessionExpired(session: Session, maxAgeMs: number, now: number): boolean {
  const renewedAt = session.renewed_at ?? session.expires_at - SPOTIFY_ACCESS_TOKEN_LIFE_MS;
  return now - renewedAt > maxAgeMs;
}

/** The session a code exchange starts; `undefined` when Spotify sent no refresh token to keep. */
export function startSession(tokens: SpotifyTokens, now: number): Session | undefined {
  if (tokens.refresh_token === undefined) return undefined;
  return sessionOf(tokens.refresh_token, tokens, tokens.scope ?? '', now);
}

/** The session after a refresh: Spotify's rotated refresh token when it sent one (the old one is dead then). */
export function renewSession(session: Session, tokens: SpotifyTokens, now: number): Session {
  return sessionOf(tokens.refresh_token ?? session.refresh_token, tokens, tokens.scope ?? session.scope, now);
}

export function refreshDue(session: Session, now: number): boolean {
  return session.expires_at - now < REFRESH_MARGIN_MS;
}

export function tokenAnswer(session: Session, now: number): SessionTokenAnswer {
  return {
    access_token: session.access_token,
    token_type: 'Bearer',
    expires_in: Math.max(0, Math.floor((session.expires_at - now) / 1000)),
    scope: session.scope,
  };
}

/** The sealed cookie's plaintext. */
export function serializeSession(session: Session): string {
  return JSON.stringify(session);
}

/** `undefined` unless `text` is what {@link serializeSession} writes (or wrote before `renewed_at`). */
export function parseSession(text: string): Session | undefined {
  const value = parseJsonObject(text);
  if (value === undefined) return undefined;
  const { refresh_token, access_token, expires_at, scope, renewed_at } = value;
  if (typeof refresh_token !== 'string' || refresh_token === '' || typeof access_token !== 'string' || access_token === '') {
    return undefined;
  }
  if (typeof expires_at !== 'number' || !Number.isFinite(expires_at) || typeof scope !== 'string') return undefined;
  if (renewed_at === undefined) return { refresh_token, access_token, expires_at, scope };
  if (typeof renewed_at !== 'number' || !Number.isFinite(renewed_at)) return undefined;
  return { refresh_token, access_token, expires_at, scope, renewed_at };
}
