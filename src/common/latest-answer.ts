import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

const LATEST_ANSWER = Symbol('latestAnswer');

type NotedSocket = Duplex & { [LATEST_ANSWER]?: ServerResponse };

/**
 * Remembers `response` as the last answer due on its request's connection. One property per
 * request (a listener per response cost a tenth of a /refresh's instructions): the connection's
 * own record, Node's `_httpMessage`, is the first answer due, and with pipelined requests a
 * `Connection: close` there would drop the answers queued behind it.
 */
export function noteLatestAnswer(request: IncomingMessage, response: ServerResponse): void {
  (request.socket as NotedSocket)[LATEST_ANSWER] = response;
}

/**
 * Forgets `response` once it has gone out, unless a later answer is due on its connection: an
 * idle keep-alive connection would otherwise hold its last request and response (about 13 KB)
 * until its next request, and thousands of idle clients behind an L4 balancer fill the heap.
 */
export function forgetAnswered(request: IncomingMessage, response: ServerResponse): void {
  const socket = request.socket as NotedSocket | null;
  if (socket?.[LATEST_ANSWER] === response) socket[LATEST_ANSWER] = undefined;
}

/**
 * Makes the connection close after the last answer due on it (answers go out in order, so every
 * one before it is still sent): by its `Connection: close` when it has not started, else by
 * ending the socket once it has gone out (it may be written yet queued behind a slower one).
 * `false` when no answer is due: the connection is idle.
 */
export function closeAfterLatestAnswer(socket: Duplex): boolean {
  const latest = (socket as NotedSocket)[LATEST_ANSWER];
  if (latest === undefined || latest.writableFinished) return false;
  // Destroyed once our end is written: a paused socket would never read the peer's, and stay.
  if (latest.headersSent) latest.once('finish', () => socket.end(() => socket.destroy()));
  else latest.setHeader('Connection', 'close');
  return true;
}
