import { once } from 'node:events';
import { Duplex } from 'node:stream';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { ClientSocket, clientErrorAnswerer } from './client-error';
import { noteLatestAnswer } from './latest-answer';

const completeRequest = () => Object.assign(new IncomingMessage(new Socket()), { complete: true });

const answer = clientErrorAnswerer(15_000);

function fakeSocket(inFlight?: ClientSocket['_httpMessage']) {
  const chunks: Buffer[] = [];
  const socket: ClientSocket = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  socket._httpMessage = inFlight;
  return { socket, written: () => Buffer.concat(chunks).toString('utf8') };
}

function failure(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(code), { code });
}

describe('clientErrorAnswerer', () => {
  it.each<[string, ClientSocket['_httpMessage'], string, string]>([
    ['a request not in within the timeout', undefined, 'HTTP/1.1 408 Request Timeout', 'The request did not arrive within 15 s'],
    ['the same, its body still arriving', { headersSent: false, req: { complete: false } }, 'HTTP/1.1 408 Request Timeout', 'The request did not arrive within 15 s'],
  ])('%s: 408 in the OAuth shape, then the connection closes', async (_case, inFlight, statusLine, description) => {
    const { socket, written } = fakeSocket(inFlight);
    answer(failure('ERR_HTTP_REQUEST_TIMEOUT'), socket);
    await once(socket, 'close');
    const [head, body] = written().split('\r\n\r\n');
    expect(head.split('\r\n')).toEqual([
      statusLine,
      'Content-Type: application/json; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Cache-Control: no-store',
      'Connection: close',
    ]);
    expect(JSON.parse(body)).toEqual({ error: 'invalid_request', error_description: description });
    expect(socket.destroyed).toBe(true);
  });

  it.each([
    ['HPE_HEADER_OVERFLOW', 'HTTP/1.1 431 Request Header Fields Too Large'],
    ['HPE_CHUNK_EXTENSIONS_OVERFLOW', 'HTTP/1.1 413 Payload Too Large'],
    ['HPE_INVALID_METHOD', 'HTTP/1.1 400 Bad Request'],
  ])('%s → %s', async (code, statusLine) => {
    const { socket, written } = fakeSocket();
    answer(failure(code), socket);
    await once(socket, 'close');
    expect(written().startsWith(`${statusLine}\r\n`)).toBe(true);
  });

  it.each<[string, string, ClientSocket['_httpMessage']]>([
    ['a peer that reset the connection', 'ECONNRESET', undefined],
    ['an answer already under way', 'HPE_INVALID_METHOD', { headersSent: true, req: { complete: true } }],
  ])('%s: nothing written, the connection closed', async (_case, code, inFlight) => {
    const { socket, written } = fakeSocket(inFlight);
    answer(failure(code), socket);
    await once(socket, 'close');
    expect(written()).toBe('');
  });

  it('complete requests waiting for their answers (the fault is in what followed): left to get them, the last closing the connection, nothing more read', () => {
    const first = new ServerResponse(completeRequest());
    const { socket, written } = fakeSocket(Object.assign(first, { req: { complete: true } }));
    const last = new ServerResponse(completeRequest());
    noteLatestAnswer(Object.assign(completeRequest(), { socket }) as IncomingMessage, last);
    answer(failure('HPE_INVALID_METHOD'), socket);
    expect([first.getHeader('connection'), last.getHeader('connection')]).toEqual([undefined, 'close']);
    expect(written()).toBe('');
    expect(socket.destroyed).toBe(false);
    expect(socket.isPaused()).toBe(true);
  });
});
