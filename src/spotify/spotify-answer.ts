import { AxiosError, isCancel } from 'axios';
import { isJsonObject, parseJson } from '../common/json-object';
import {
  OAuthError,
  SpotifyGrantError,
  TemporarilyUnavailableError,
  UpstreamError,
  UpstreamTimeoutError,
} from '../common/oauth.error';
import { SpotifyTokens } from './spotify-tokens';

const OAUTH_ERROR_CODE = /^[a-z_]{1,64}$/;

/**
 * Spotify's descriptions are short plain phrases ("Invalid refresh token", "Authorization code
 * expired"). They reach the caller and, for credential errors, the log; so text with the marks of
 * a form, a header or a token (`=`, `&`, quotes, a run of 32 characters without a space) is not
 * passed on: an upstream that echoed its request (a proxy, a wrong SPOTIFY_ACCOUNTS_URL) would
 * otherwise hand out the unsealed refresh token, the code or this service's Basic credentials.
 */
const PLAIN_DESCRIPTION = /^[A-Za-z0-9 ,.:;!?'()_-]{1,200}$/;
const TOKEN_LIKE_RUN = /\S{32}/;

function isPlainDescription(text: unknown): text is string {
  return typeof text === 'string' && PLAIN_DESCRIPTION.test(text) && !TOKEN_LIKE_RUN.test(text);
}

/**
 * An access token said to live longer than this is not Spotify's (it says 3600): passed on, it
 * would be a client's cache lifetime and, in session mode, when the next refresh happens.
 */
const MAX_EXPIRES_IN_S = 365 * 24 * 3600;

/** Whole seconds written out, as `expires_in` may come and as `Retry-After` usually does. */
const SECONDS_TEXT = /^\d{1,10}$/;

/** Whole seconds as Spotify sends them (a JSON number), or as a string of digits; nothing `Number()` would bend into one. */
function secondsOf(value: unknown): number | undefined {
  const seconds = typeof value === 'string' && SECONDS_TEXT.test(value) ? Number(value) : value;
  return typeof seconds === 'number' && Number.isInteger(seconds) && seconds >= 0 && seconds <= MAX_EXPIRES_IN_S ? seconds : undefined;
}

/**
 * Fields Spotify may add one day are passed on when they are plain values. Nested ones are not:
 * nothing in a token answer nests, and an answer nested thousands deep (well within its size
 * limit) would overflow the stack when the reply is serialised.
 */
function isPlainValue(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

function toTokens(body: unknown): SpotifyTokens {
  if (!isJsonObject(body) || typeof body.access_token !== 'string' || body.access_token.length === 0) {
    throw new UpstreamError('200 answer without an access_token');
  }
  const expiresIn = secondsOf(body.expires_in);
  if (expiresIn === undefined) {
    throw new UpstreamError(`200 answer without an expires_in of whole seconds up to ${MAX_EXPIRES_IN_S}`);
  }
  // Sealed and handed on as it is: anything but a non-empty string is a broken answer, not ours to mend.
  if (body.refresh_token !== undefined && (typeof body.refresh_token !== 'string' || body.refresh_token.length === 0)) {
    throw new UpstreamError('200 answer with a refresh_token that is not a string');
  }
  if (body.scope !== undefined && typeof body.scope !== 'string') {
    throw new UpstreamError('200 answer with a scope that is not a string');
  }
  const tokens: SpotifyTokens = {
    access_token: body.access_token,
    token_type: typeof body.token_type === 'string' ? body.token_type : 'Bearer',
    expires_in: expiresIn,
  };
  for (const [field, value] of Object.entries(body)) {
    if (!(field in tokens) && isPlainValue(value)) tokens[field] = value;
  }
  return tokens;
}

/**
 * Spotify's `Retry-After`, when it is one (RFC 9110: whole seconds or an HTTP date). Anything else
 * is not passed on: it would reach the caller as a header this service vouches for.
 */
function retryAfterOf(value: string | string[] | undefined): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (SECONDS_TEXT.test(value)) return value;
  return /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(value) && !Number.isNaN(Date.parse(value)) ? value : undefined;
}

/**
 * Errors about this service's own Spotify app rather than the user's grant. They pass through as
 * documented, but only the operator can fix them, so they carry a detail and reach the log.
 */
const CLIENT_CREDENTIAL_ERRORS = new Set(['invalid_client', 'unauthorized_client']);

/** Spotify's OAuth errors are `{error, error_description}`; its Web API errors are not. */
function toGrantError(status: number, body: unknown): OAuthError {
  if (isJsonObject(body) && typeof body.error === 'string' && OAUTH_ERROR_CODE.test(body.error)) {
    const description = isPlainDescription(body.error_description) ? body.error_description : body.error;
    const detail = CLIENT_CREDENTIAL_ERRORS.has(body.error)
      ? `Spotify refused this service's client credentials (${body.error}): check CLIENT_ID and CLIENT_SECRET`
      : undefined;
    return new SpotifyGrantError(status, body.error, description, { detail });
  }
  return new UpstreamError(`${status} answer that is not an OAuth error`);
}

/**
 * Maps one answer of Spotify's token endpoint to tokens or to the `OAuthError` that
 * DESIGN.md assigns it. Pure, so every row of the error table is unit-tested.
 */
export function interpretTokenAnswer(
  status: number,
  contentType: string | string[] | undefined,
  text: string,
  retryAfter?: string | string[],
): SpotifyTokens {
  if (status === 429) {
    throw new TemporarilyUnavailableError(retryAfterOf(retryAfter));
  }
  if (status >= 500) {
    throw new UpstreamError(`status ${status}`);
  }
  const body = typeof contentType === 'string' && contentType.includes('json') ? parseJson(text) : undefined;
  if (body === undefined) {
    throw new UpstreamError(`status ${status} with a body that is not JSON`);
  }
  if (status === 200) {
    return toTokens(body);
  }
  if (status >= 400) {
    throw toGrantError(status, body);
  }
  throw new UpstreamError(`unexpected status ${status}`);
}

/** Maps a failed call (no answer at all) to timeout or upstream error. */
export function interpretTransportFailure(error: unknown, timeoutMs: number): OAuthError {
  if (isCancel(error)) {
    return new UpstreamTimeoutError(timeoutMs);
  }
  const code = error instanceof AxiosError ? (error.code ?? error.message) : String(error);
  return new UpstreamError(`transport: ${code}`);
}
