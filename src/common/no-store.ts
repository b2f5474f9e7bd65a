import { applyDecorators, Header } from '@nestjs/common';

/**
 * On every answer that carries tokens, codes, one-time state or an OAuth error: no cache may
 * keep it. (No Referrer-Policy here: helmet's `no-referrer` is on every answer already.)
 */
export const NO_STORE_HEADERS = {
  'Cache-Control': 'no-store',
  Pragma: 'no-cache',
} as const;

/** {@link NO_STORE_HEADERS} on every answer of a route. */
export function NoStore(): MethodDecorator {
  return applyDecorators(...Object.entries(NO_STORE_HEADERS).map(([name, value]) => Header(name, value)));
}
