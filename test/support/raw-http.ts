import { connect, Socket } from 'node:net';

/** A plain TCP connection to the server at `url`, for requests no HTTP client would send. */
export function rawConnection(url: string): Socket {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  socket.on('error', () => undefined); // a reset after the answer is the server hanging up
  return socket;
}

/** Everything `socket` receives until the server closes it, as text. */
export async function receivedUntilClose(socket: Socket): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of socket) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * What `socket` receives until the server closes it, or for `giveUpMs` at most: then the socket
 * is destroyed here and `closedByServer` is false.
 */
export async function receivedWithin(socket: Socket, giveUpMs: number): Promise<{ received: string; closedByServer: boolean }> {
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  let closedByServer = true;
  const giveUp = setTimeout(() => {
    closedByServer = false;
    socket.destroy();
  }, giveUpMs);
  await new Promise((resolve) => socket.once('close', resolve));
  clearTimeout(giveUp);
  return { received: Buffer.concat(chunks).toString('utf8'), closedByServer };
}

/** What the server at `url` sends back to `bytes` written raw on a new connection, up to its closing it. */
export function rawExchange(url: string, bytes: string): Promise<string> {
  const socket = rawConnection(url);
  socket.end(bytes);
  return receivedUntilClose(socket);
}

/** A form POST as raw bytes, its Content-Length exactly the form's. */
export function rawFormPost(path: string, form: string): string {
  return `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${Buffer.byteLength(form)}\r\n\r\n${form}`;
}

/** The answers one after another in what a connection received: status line, `Connection` header, body. */
export function answersIn(received: string): Array<{ statusLine: string; connection: string | undefined; body: string }> {
  return received.split(/(?=HTTP\/1\.1 )/).map((answer) => {
    const [head, body] = answer.split('\r\n\r\n');
    return { statusLine: head.split('\r\n')[0], connection: /\r\nConnection: (\S+)/.exec(head)?.[1], body };
  });
}
