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
