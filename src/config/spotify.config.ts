import { EnvironmentVariables, parseList } from './environment';
import { DEFAULT_UPSTREAM_MAX_SOCKETS, DEFAULT_UPSTREAM_TIMEOUT_MS } from '../spotify/spotify.constants';
import { configNamespace } from './config-namespace';

const DEFAULT_ACCOUNTS_URL = 'https://accounts.spotify.com';

/** How this service reaches Spotify Accounts and which mobile redirect URIs `/swap` accepts. */
export interface SpotifySettings {
  clientId: string;
  clientSecret: string;
  /** Base URL without a trailing slash. */
  accountsUrl: string;
  upstreamTimeoutMs: number;
  /** Bound on pooled keep-alive sockets to Spotify; calls beyond it wait for a free socket. */
  upstreamMaxSockets: number;
  /** The mobile apps' redirect URIs; the first is the default. Empty turns `/swap` off. */
  callbackUrls: string[];
}

export function spotifySettings(env: EnvironmentVariables): SpotifySettings {
  return {
    // Validation guarantees both are set outside the offline demo, which fills them in first.
    clientId: env.CLIENT_ID ?? '',
    clientSecret: env.CLIENT_SECRET ?? '',
    accountsUrl: (env.SPOTIFY_ACCOUNTS_URL ?? DEFAULT_ACCOUNTS_URL).replace(/\/+$/, ''),
    upstreamTimeoutMs: env.UPSTREAM_TIMEOUT_MS ?? DEFAULT_UPSTREAM_TIMEOUT_MS,
    upstreamMaxSockets: env.UPSTREAM_MAX_SOCKETS ?? DEFAULT_UPSTREAM_MAX_SOCKETS,
    callbackUrls: parseList(env.CALLBACK_URL ?? env.CALLBACK_URI),
  };
}

export const spotifyConfig = configNamespace('spotify', spotifySettings);
