/**
 * On every answer that carries tokens, codes, one-time state or an OAuth error: no cache may
 * keep it. (No Referrer-Policy here: helmet's `no-referrer` is on every answer already.)
 */
export const NO_STORE_HEADERS = {
  'Cache-Control': 'no-store',
  Pragma: 'no-cache',
} as const;
