import type { Duplex } from 'node:stream';
import { closeAfterLatestAnswer } from './latest-answer';

/** The socket as Node's HTTP server hands it to `clientError`: with the first answer due on it, if any. */
export type ClientSocket = Duplex & { _httpMessage?: { headersSent: boolean; req?: { complete: boolean } } };

/**
 * A `clientError` listener for a server whose requests must arrive within `requestTimeoutMs`.
 * Node answers these errors itself with a bare status line; this answers in the OAuth shape
 * every other error has, with `no-store`, then closes the connection.
 *
 * It answers only a request still arriving. Complete requests waiting for their answers (the
 * fault is in what followed them: a body longer than its Content-Length, garbage pipelined
 * behind) still get them, and the connection closes after the last: they may have spent a code.
 * Nothing more is read meanwhile: Node would raise this error again for every further chunk. A
 * peer that is gone gets nothing.
 */
export function clientErrorAnswerer(requestTimeoutMs: number) {
  const answers: Record<string, [status: string, description: string]> = {
    HPE_HEADER_OVERFLOW: ['431 Request Header Fields Too Large', 'Request headers are too large'],
    HPE_CHUNK_EXTENSIONS_OVERFLOW: ['413 Payload Too Large', 'Chunk extensions are too large'],
    ERR_HTTP_REQUEST_TIMEOUT: ['408 Request Timeout', `The request did not arrive within ${requestTimeoutMs / 1000} s`],
  };
  return (error: NodeJS.ErrnoException, socket: ClientSocket): void => {
    const inFlight = socket._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    if (inFlight?.req?.complete && closeAfterLatestAnswer(socket)) {
      socket.pause();
      return;
    }
    if (inFlight?.headersSent || inFlight?.req?.complete) {
      socket.destroy();
      return;
    }
    const [status, description] = answers[error.code ?? ''] ?? ['400 Bad Request', 'Malformed HTTP request'];
    const body = JSON.stringify({ error: 'invalid_request', error_description: description });
    const answer =
      `HTTP/1.1 ${status}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Cache-Control: no-store\r\nConnection: close\r\n\r\n${body}`;
    // Destroyed once written, as Node does: a half-closed socket would go on feeding the parser
    // (a late body would still reach its route) and hold the server open at shutdown.
    socket.end(answer, () => socket.destroy());
  };
}
