import { splitScopes } from '../spotify/spotify-scopes';
import { defaultRedirectUri, EnvironmentVariables, parseList } from './environment';
import { configNamespace } from './config-namespace';

/**
 * Where `/callback` puts tokens and errors for the landing page: the fragment never reaches a
 * server or a Referer header (RFC 9700 §4.3); the query string is the original service's way.
 */
export type TokenDelivery = 'fragment' | 'query';

/** Where the offline demo page is served, next to `/callback`. */
export const OFFLINE_DEMO_PATH = '/demo';

/** The browser login flow: `/login` and `/callback`. */
export interface BrowserSettings {
  /** This service's `/callback`, exactly as registered at Spotify. */
  redirectUri: string;
  /** Landing pages; the first is the default, all of them form the `return_to` allowlist. Empty turns `/login` off. */
  finalUris: string[];
  stateCookieName: string;
  tokenDelivery: TokenDelivery;
  /** Asked for when `/login` names no `scope`. */
  defaultScopes: string[];
}

export function browserSettings(env: EnvironmentVariables): BrowserSettings {
  return {
    redirectUri: env.REDIRECT_URI ?? defaultRedirectUri(env),
    finalUris: parseList(env.FINAL_URI),
    stateCookieName: env.STATEKEY ?? 'spotify_auth_state',
    tokenDelivery: env.TOKEN_DELIVERY === 'query' ? 'query' : 'fragment',
    defaultScopes: splitScopes(env.SCOPES ?? 'user-read-private user-read-email'),
  };
}

/** The offline demo page's URL: same origin as `/callback`, so the demo works on whatever host REDIRECT_URI names. */
export function offlineDemoPageUrl(env: EnvironmentVariables): string {
  return new URL(OFFLINE_DEMO_PATH, browserSettings(env).redirectUri).href;
}

export const browserConfig = configNamespace('browser', browserSettings);
