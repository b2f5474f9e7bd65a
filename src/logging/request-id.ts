import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';
/** What a caller's id may look like: bounded, no spaces or control characters to forge log lines. */
const ACCEPTABLE_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

/** The caller's `X-Request-Id` if it is sane, else a fresh UUID; echoed on the response. */
export function requestIdOf(request: IncomingMessage, response: ServerResponse): string {
  const offered = request.headers[REQUEST_ID_HEADER];
  const id = typeof offered === 'string' && ACCEPTABLE_ID.test(offered) ? offered : randomUUID();
  response.setHeader('X-Request-Id', id);
  return id;
}
