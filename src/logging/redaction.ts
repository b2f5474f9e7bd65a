/**
 * Names whose values are secrets wherever they appear: query strings, bodies, objects handed
 * to the logger. `state` is included: it is the login's CSRF nonce.
 */
const SECRET_FIELDS = ['code', 'state', 'refresh_token', 'access_token', 'code_verifier', 'client_secret', 'id_token'];

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

const SECRET_NAMES = new Set(SECRET_FIELDS);

/** A query parameter's name as a query parser reads it (`co%64e` is `code`), in lower case to err on the safe side. */
function parameterName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' ')).toLowerCase();
  } catch {
    return raw.toLowerCase();
  }
}

/** The URL with the values of secret query parameters replaced, for logs. */
export function redactUrl(url: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart === -1) return url;
  const query = url.slice(queryStart + 1).replace(/[^&;]+/g, (pair) => {
    const equals = pair.indexOf('=');
    if (equals === -1) return pair;
    const name = pair.slice(0, equals);
    return SECRET_NAMES.has(parameterName(name)) ? `${name}=${REDACTED}` : pair;
  });
  return url.slice(0, queryStart + 1) + query;
}
