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

/** What the server at `url` sends back to `bytes` written raw on a new connection, up to its closing it. */
export function rawExchange(url: string, bytes: string): Promise<string> {
  const socket = rawConnection(url);
  socket.end(bytes);
  return receivedUntilClose(socket);
}
