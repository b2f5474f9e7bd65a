import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

const REQUEST_ID_HEADER = 'x-request-id';
/** What a caller's id may look like: bounded, no spaces or control characters to forge log lines. */
const ACCEPTABLE_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

type IdentifiedRequest = IncomingMessage & { id?: string };

/** The caller's `X-Request-Id` if it is sane, else a fresh UUID. */
function requestIdFor(request: IncomingMessage): string {
  const offered = request.headers[REQUEST_ID_HEADER];
  return typeof offered === 'string' && ACCEPTABLE_ID.test(offered) ? offered : randomUUID();
}

/**
 * Gives every request its id and echoes it in `X-Request-Id`. Its own middleware, not the
 * request logger's, so ids work with the access log off (then the logger is not mounted at all).
 * Mounted before the logger, whose pino-http keeps an id already on the request.
 */
export function assignRequestIds() {
  return (request: IdentifiedRequest, response: ServerResponse, next: () => void) => {
    request.id = requestIdFor(request);
    response.setHeader('X-Request-Id', request.id);
    next();
  };
}
