/**
 * On every `/login` and `/callback` answer: the redirects carry a one-time state or tokens,
 * and no cache may keep them. No Referer either: the callback URL holds the authorization code.
 */
export const NO_STORE_HEADERS = {
  'Cache-Control': 'no-store',
  Pragma: 'no-cache',
  'Referrer-Policy': 'no-referrer',
} as const;
