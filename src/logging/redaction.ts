/**
 * Names whose values are secrets wherever they appear: query strings, bodies, objects handed
 * to the logger. `state` is included: it is the login's CSRF nonce.
 */
export const SECRET_FIELDS = ['code', 'state', 'refresh_token', 'access_token', 'code_verifier', 'client_secret', 'id_token'];

export const REDACTED = '[redacted]';

/** Paths pino censors; `*.x` covers the field one level down in any object logged. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-forwarded-authorization"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((field) => `*.${field}`),
  ...SECRET_FIELDS.map((field) => `*.*.${field}`),
];

const SECRET_PARAM = new RegExp(`([?&;](?:${SECRET_FIELDS.join('|')})=)[^&;#]*`, 'gi');

/** The URL with the values of secret query parameters replaced, for logs. */
export function redactUrl(url: string): string {
  return url.replace(SECRET_PARAM, `$1${REDACTED}`);
}
