import { parseJsonObject } from '../common/json-object';

/** What `/login` hands the browser to bring back to `/callback`, sealed in the state cookie. */
export interface LoginState {
  /** 256 random bits, also sent to Spotify as `state`: ties the callback to this browser's login. */
  nonce: string;
  /** PKCE: Spotify only saw its S256 challenge, so a code stolen on the way back is useless without it. */
  codeVerifier: string;
  /** The landing page the web app asked for, already checked against FINAL_URI; unset means the first entry. */
  returnTo?: string;
  /** Epoch milliseconds. */
  issuedAt: number;
}

/** The sealed cookie's plaintext. */
export function serializeLoginState(state: LoginState): string {
  return JSON.stringify(state);
}

/** `undefined` unless `text` is exactly what {@link serializeLoginState} writes. */
export function parseLoginState(text: string): LoginState | undefined {
  const value = parseJsonObject(text);
  if (value === undefined) return undefined;
  const { nonce, codeVerifier, returnTo, issuedAt } = value;
  if (typeof nonce !== 'string' || typeof codeVerifier !== 'string' || typeof issuedAt !== 'number') return undefined;
  if (returnTo !== undefined && typeof returnTo !== 'string') return undefined;
  return { nonce, codeVerifier, returnTo, issuedAt };
}
