import { randomToken } from '../common/random-token';
import { offlineDemoPageUrl } from './browser.config';
import { EnvironmentVariables } from './environment';

/** The Spotify app the offline emulator registers; never valid at Spotify. */
export const OFFLINE_CLIENT = {
  clientId: 'offline-demo-client',
  clientSecret: 'offline-demo-client-secret',
} as const;

/** Whether this start runs against the local emulator instead of Spotify. */
export function needsOfflineSpotify(env: EnvironmentVariables): boolean {
  // Validation already refused a production start without CLIENT_ID.
  return env.CLIENT_ID === undefined;
}

export interface DevelopmentDefaults {
  /** To lay over the validated environment. */
  variables: Partial<EnvironmentVariables>;
  warnings: string[];
}

/**
 * What a development start fills in: the emulator's credentials when there are none, and a
 * throwaway ENCRYPTION_SECRET. Production never gets here without both (validation).
 */
export function developmentDefaults(env: EnvironmentVariables, offlineAccountsUrl?: string): DevelopmentDefaults {
  const variables: Partial<EnvironmentVariables> = {};
  const warnings: string[] = [];
  if (offlineAccountsUrl !== undefined) {
    variables.CLIENT_ID = OFFLINE_CLIENT.clientId;
    variables.CLIENT_SECRET = OFFLINE_CLIENT.clientSecret;
    variables.SPOTIFY_ACCOUNTS_URL = offlineAccountsUrl;
    warnings.push(
      `OFFLINE MODE: CLIENT_ID is not set, so this service talks to a local Spotify Accounts emulator at ${offlineAccountsUrl} ` +
        `(its Spotify app: ${OFFLINE_CLIENT.clientId}), NOT to Spotify. ` +
        'Set CLIENT_ID and CLIENT_SECRET to use your Spotify app.',
    );
    if (env.SPOTIFY_ACCOUNTS_URL !== undefined) {
      // The emulator's client exists only there: pointing it anywhere else could never work.
      warnings.push(`OFFLINE MODE: SPOTIFY_ACCOUNTS_URL=${env.SPOTIFY_ACCOUNTS_URL} is ignored without CLIENT_ID.`);
    }
    if (env.FINAL_URI === undefined) {
      // A newcomer can click through /login without writing a landing page first.
      variables.FINAL_URI = offlineDemoPageUrl(env);
      warnings.push(
        `OFFLINE DEMO: open ${new URL('/login', variables.FINAL_URI).href} in a browser to log in through the emulator; ` +
          `FINAL_URI is not set, so you land on the demo page ${variables.FINAL_URI}.`,
      );
    }
  }
  if (env.ENCRYPTION_SECRET === undefined) {
    variables.ENCRYPTION_SECRET = randomToken();
    warnings.push(
      'ENCRYPTION_SECRET is not set: generated a random one for this run. Refresh tokens issued now will not survive a restart ' +
        'and will not work on other instances. Set ENCRYPTION_SECRET (32+ characters) to keep them.',
    );
  }
  return { variables, warnings };
}
