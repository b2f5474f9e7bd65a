import type request from 'supertest';

/** Every token-bearing answer and every error: never kept by a browser or a shared cache. */
export function expectNoStore(response: request.Response): void {
  expect(response.headers['cache-control']).toBe('no-store');
  expect(response.headers['pragma']).toBe('no-cache');
}
