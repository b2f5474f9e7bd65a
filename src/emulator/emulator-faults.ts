import type { ServerResponse } from 'node:http';
import type { EmulatorFault } from './emulator.types';
import { send, writeBody } from './http-io';
import { webApiError } from './me-endpoint';

/** Faults that end in an HTTP answer, as opposed to a delay, silence or a dropped connection. */
export type AnsweringFault = Exclude<EmulatorFault, { kind: 'latency' | 'hang' | 'reset' }>;

/** Faults waiting for the next token requests, in the order they were injected. */
export class FaultQueue {
  private readonly queue: Array<{ fault: EmulatorFault; remaining: number }> = [];

  /** Number of requests still to be faulted. */
  get pending(): number {
    return this.queue.reduce((sum, entry) => sum + entry.remaining, 0);
  }

  push(fault: EmulatorFault, times: number): void {
    if (!Number.isInteger(times) || times < 1) {
      throw new RangeError(`injectFault: times must be a positive integer, got ${times}`);
    }
    this.queue.push({ fault, remaining: times });
  }

  /** The fault for the request at hand, or undefined to behave normally. */
  next(): EmulatorFault | undefined {
    const head = this.queue[0];
    if (!head) return undefined;
    head.remaining -= 1;
    if (head.remaining === 0) this.queue.shift();
    return head.fault;
  }

  clear(): void {
    this.queue.length = 0;
  }
}

// What a token answer looks like, so a truncated one starts like the real thing.
const TOKEN_ANSWER_JSON = JSON.stringify({
  access_token: 'truncated-access-token',
  token_type: 'Bearer',
  expires_in: 3600,
  refresh_token: 'truncated-refresh-token',
  scope: 'user-read-private user-read-email',
});

/** Plays an answering fault on the response. */
export function writeFaultAnswer(res: ServerResponse, fault: AnsweringFault): void {
  switch (fault.kind) {
    case 'status':
      if (fault.body === undefined) {
        res.writeHead(fault.status, { 'content-length': 0 }).end();
      } else {
        writeBody(res, fault.status, fault.contentType ?? 'text/html; charset=utf-8', fault.body);
      }
      return;
    case 'rate-limit':
      // Spotify's 429 comes from its API gateway, in the Web API's shape rather than OAuth's.
      send(res, webApiError(429, 'API rate limit exceeded', { 'retry-after': String(fault.retryAfterSeconds) }));
      return;
    case 'truncated': {
      // Promise the whole body, send half, then hang up: the client sees a premature close.
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(TOKEN_ANSWER_JSON) });
      res.write(TOKEN_ANSWER_JSON.slice(0, TOKEN_ANSWER_JSON.length / 2), () => res.socket?.destroy());
      return;
    }
    case 'trickle': {
      // Catches clients that time only the gaps between bytes (axios' own timeout) instead of the whole call.
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(TOKEN_ANSWER_JSON) });
      let sent = 0;
      const timer = setInterval(() => {
        if (sent === TOKEN_ANSWER_JSON.length) res.end();
        else res.write(TOKEN_ANSWER_JSON[sent++]);
      }, fault.byteIntervalMs);
      res.once('close', () => clearInterval(timer));
      return;
    }
    case 'non-json':
      writeBody(res, 200, 'text/html; charset=utf-8', '<html><body><h1>Upstream maintenance</h1></body></html>');
      return;
    case 'garbage-json':
      writeBody(res, 200, 'application/json', '{"foo":1}');
      return;
  }
}

/** Drops the connection with a TCP RST and no answer, so the client sees ECONNRESET. */
export function resetConnection(res: ServerResponse): void {
  const socket = res.socket;
  if (!socket) return;
  try {
    socket.resetAndDestroy();
  } catch {
    // A TLS socket wraps its TCP handle and refuses a reset; a plain close is the nearest thing.
    socket.destroy();
  }
}
