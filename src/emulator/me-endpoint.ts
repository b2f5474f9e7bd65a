import type { EmulatorReply } from './emulator.types';
import { GrantStore } from './grant.store';

/** The one user the emulator knows: whoever clicks Approve is this person. */
const EMULATOR_USER_PROFILE = {
  id: 'emulator-user',
  display_name: 'Emulator User',
  email: 'user@example.com',
  country: 'SE',
  product: 'premium',
  type: 'user',
  uri: 'spotify:user:emulator-user',
} as const;

// The offline demo page calls /v1/me from the browser, as pages do against the real Web API.
const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, OPTIONS',
  'access-control-allow-headers': 'Authorization',
  'access-control-max-age': '600',
};

/** Spotify Web API's error shape, which differs from the Accounts service's OAuth shape. */
export function webApiError(status: number, message: string, headers: Record<string, string> = {}): EmulatorReply {
  return { type: 'json', status, body: { error: { status, message } }, headers };
}

function unauthorized(message: string): EmulatorReply {
  return webApiError(401, message, {
    ...CORS_HEADERS,
    'www-authenticate': `Bearer realm="spotify", error="invalid_token", error_description="${message}"`,
  });
}

/** `/v1/me`: the profile for a live access token, Spotify's 401 otherwise. */
export function meEndpoint(method: string, authorization: string | undefined, grants: GrantStore): EmulatorReply {
  if (method === 'OPTIONS') return { type: 'json', status: 204, body: undefined, headers: CORS_HEADERS };
  if (method !== 'GET') return webApiError(405, 'Method not allowed', { ...CORS_HEADERS, allow: 'GET, OPTIONS' });

  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (token === undefined) return unauthorized('No token provided');
  switch (grants.checkAccessToken(token)) {
    case 'valid':
      return { type: 'json', status: 200, body: EMULATOR_USER_PROFILE, headers: CORS_HEADERS };
    case 'expired':
      return unauthorized('The access token expired');
    case 'unknown':
      return unauthorized('Invalid access token');
  }
}
