/**
 * On every `/login` and `/callback` answer: the redirects carry a one-time state or tokens,
 * and no cache may keep them. (No Referer either, since the callback URL holds the
 * authorization code: helmet's `Referrer-Policy: no-referrer` is on every answer.)
 */
export const NO_STORE_HEADERS = {
  'Cache-Control': 'no-store',
  Pragma: 'no-cache',
} as const;
