import { EnvironmentVariables } from './environment';
import { configNamespace } from './config-namespace';

/**
 * How the browser flow ends: `tokens` hands every token to the landing page; `session` keeps
 * them in a sealed HttpOnly cookie and the page asks `GET /token` for access tokens.
 */
export type BrowserMode = 'tokens' | 'session';

const ONE_DAY_MS = 86_400_000;

/** Session mode (`BROWSER_MODE=session`): `/callback` sets the session cookie; `/token` and `/logout` serve it. */
export interface SessionSettings {
  mode: BrowserMode;
  /** Life of the session cookie, renewed whenever `/token` refreshes it. */
  maxAgeMs: number;
}

export function sessionSettings(env: EnvironmentVariables): SessionSettings {
  return {
    mode: env.BROWSER_MODE === 'session' ? 'session' : 'tokens',
    maxAgeMs: (env.SESSION_MAX_AGE_DAYS ?? 30) * ONE_DAY_MS,
  };
}

export const sessionConfig = configNamespace('session', sessionSettings);
