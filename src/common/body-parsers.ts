import express, { Request, RequestHandler, Response } from 'express';
import { Readable } from 'node:stream';
import { BODY_LIMIT, BODY_LIMIT_BYTES } from './body-limit';
import { parseJson } from './json-object';
import { toOAuthError } from './oauth-exception.filter';
import { parseSimpleForm } from './simple-form';

/**
 * Wraps a body parser so its failures leave as `OAuthError`s. Left alone, Nest turns a JSON
 * syntax error into a generic 400 whose message is the parser's, before any filter sees it.
 */
function withOAuthErrors(parser: RequestHandler): RequestHandler {
  return (request, response, next) => parser(request, response, (error?: unknown) => next(error ? toOAuthError(error) : undefined));
}

/** The content types token requests come with, exactly as clients spell them. */
const PLAIN_TYPES = new Map<string, 'form' | 'json'>([
  ['application/x-www-form-urlencoded', 'form'],
  ['application/x-www-form-urlencoded; charset=utf-8', 'form'],
  ['application/json', 'json'],
  ['application/json; charset=utf-8', 'json'],
]);

/** Whitespace RFC 8259 allows before a JSON text, as body-parser's strict mode skips it. */
const JSON_START = /^[\x20\x09\x0a\x0d]*[[{]/;

/** Errors shaped like body-parser's, so `toOAuthError` maps both the same way. */
const bodyError = (type: string) => toOAuthError({ type, status: 400 });

function parseJsonBody(text: string): unknown {
  // body-parser's strict mode: an empty body is `{}`, and only an object or array is JSON here.
  if (text.length === 0) return {};
  const value = JSON_START.test(text) ? parseJson(text) : undefined;
  if (value === undefined) throw bodyError('entity.parse.failed');
  return value;
}

/**
 * Stops a chunked body the moment it outgrows the limit, not after all of it (as body-parser
 * would, for as long as the client sends, and Node too, to reuse the connection after an answer):
 * nothing more is read, and `refuse` gets a 413 that closes the connection, or the connection
 * is dropped when an answer (say, a 400 for its content type) has already gone out.
 */
function capChunkedBody(request: Request, response: Response, refuse: (error: unknown) => void): void {
  let received = 0;
  const count = (chunk: Buffer) => {
    received += chunk.length;
    if (received <= BODY_LIMIT_BYTES) return;
    request.removeListener('data', count);
    if (response.headersSent) {
      request.socket.destroy();
      return;
    }
    request.pause();
    response.setHeader('Connection', 'close');
    refuse(bodyError('entity.too.large'));
  };
  request.on('data', count);
}

/**
 * JSON and form bodies up to `BODY_LIMIT`; anything else is left for FormOrJsonGuard.
 *
 * The bodies token clients send (a plain form or JSON content type, a Content-Length within
 * the limit or a chunked body, no Content-Encoding) are read here in one pass: under load,
 * body-parser's two middlewares (type-is, content-type, raw-body, iconv, qs) took about 5 % of
 * the service's CPU on /refresh, this reader under 2 % (`npm run bench` with `--cpu-prof`). Every other request,
 * and any form whose fields qs treats specially, goes through body-parser itself, so the
 * result is the same either way (body-parsers.spec.ts compares the two).
 */
export function bodyParser(): RequestHandler {
  const json = withOAuthErrors(express.json({ limit: BODY_LIMIT }));
  const urlencoded = withOAuthErrors(express.urlencoded({ limit: BODY_LIMIT, extended: false }));
  // Each passes over a body of the other's type, so the pair runs in turn, as the app mounted them before.
  const fallback: RequestHandler = (request, response, next) =>
    json(request, response, (error?: unknown) => (error ? next(error) : urlencoded(request, response, next)));

  /**
   * Reads the body; `done` may be called from stream events, outside the request's async context,
   * and more than once (a refused chunked body, then its reader): it is a promise's resolve, so
   * only the first outcome counts.
   */
  const read = (request: Request, response: Response, done: (error?: unknown) => void): void => {
    const headers = request.headers;
    const kind = PLAIN_TYPES.get(headers['content-type']?.toLowerCase() ?? '');
    const length = Number(headers['content-length']);
    // A body announced over the limit is refused before a byte of it is read, and its connection
    // closed: body-parser would first read (and drop) all of it, for as long as the client sends.
    if (length > BODY_LIMIT_BYTES) {
      response.setHeader('Connection', 'close');
      done(bodyError('entity.too.large'));
      return;
    }
    // A chunked body announces no length: it is counted as it comes, whoever reads it.
    const chunked = headers['transfer-encoding'] !== undefined;
    if (chunked) capChunkedBody(request, response, done);
    if (kind === undefined || headers['content-encoding'] !== undefined || !(chunked || length <= BODY_LIMIT_BYTES)) {
      fallback(request, response, done);
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.once('error', () => done(bodyError('request.aborted')));
    request.once('end', () => {
      const bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      // iconv (body-parser's decoder) drops a byte order mark; so does this.
      const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
      if (kind === 'json') {
        try {
          request.body = parseJsonBody(text);
        } catch (error) {
          return done(error);
        }
        return done();
      }
      const fields = parseSimpleForm(text);
      if (fields !== undefined) {
        request.body = fields;
        return done();
      }
      // The body is already read: body-parser gets the same bytes and headers to parse.
      const replay = Object.assign(Readable.from([bytes]), { headers }) as unknown as typeof request;
      urlencoded(replay, response, (error?: unknown) => {
        request.body = replay.body as unknown;
        done(error);
      });
    });
  };

  /**
   * Stream events (and body-parser's callbacks) fire in the connection's async context, not the
   * request's; continuing from them would cost the rest of the pipeline nestjs-pino's request
   * logger, so error lines would lose the request's id. A promise's continuation runs in the
   * context its `then` was called in. (AsyncResource.bind does the same for about 11 % more
   * instructions per /refresh: `BENCH_INSTRUCTIONS`.)
   */
  const reader: RequestHandler = (request, response, next) => {
    void new Promise<unknown>((resolve) => read(request, response, resolve)).then((error) => next(error));
  };
  return reader;
}
