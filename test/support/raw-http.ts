import { connect } from 'node:net';

/**
 * What the server at `url` sends back to `bytes` written raw on a new connection, up to its
 * closing it: for requests no HTTP client would send.
 */
export async function rawExchange(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  socket.on('error', () => undefined); // a reset after the answer is the server hanging up
  socket.end(bytes);
  const chunks: Buffer[] = [];
  for await (const chunk of socket) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
