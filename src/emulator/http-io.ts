import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorReply } from './emulator.types';

/** Bodies above this are refused; the emulator only ever needs a few form fields. */
const MAX_BODY_BYTES = 64 * 1024;

export class BodyTooLargeError extends Error {}

/** Reads the whole request body as UTF-8, refusing more than {@link MAX_BODY_BYTES}. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLargeError();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Form fields of a form-urlencoded body, else nothing: Spotify reads no other body type. */
export function parseForm(contentType: string | undefined, body: string): Record<string, string> {
  const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (mediaType !== 'application/x-www-form-urlencoded') return {};
  return Object.fromEntries(new URLSearchParams(body));
}

/** Headers as plain strings, repeated ones joined, so recorded requests compare easily. */
export function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/** Writes a reply; a late write to a response whose socket is already gone is dropped. */
export function send(res: ServerResponse, reply: EmulatorReply): void {
  if (res.headersSent || res.destroyed) return;
  switch (reply.type) {
    case 'redirect':
      res.writeHead(302, { location: reply.location, 'cache-control': 'no-store', 'content-length': 0 }).end();
      return;
    case 'html':
      writeBody(res, reply.status, 'text/html; charset=utf-8', reply.html, reply.headers);
      return;
    case 'json':
      if (reply.body === undefined) {
        res.writeHead(reply.status, reply.headers).end();
      } else {
        writeBody(res, reply.status, 'application/json', JSON.stringify(reply.body), reply.headers);
      }
  }
}

/** Writes a complete answer with an exact Content-Length. */
export function writeBody(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  res
    .writeHead(status, { ...headers, 'content-type': contentType, 'content-length': Buffer.byteLength(body) })
    .end(body);
}
