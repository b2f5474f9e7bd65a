import { createServer } from 'node:net';

/**
 * A port free right now, for a service that must know its port before it starts (its
 * REDIRECT_URI names it). Another process could take it meanwhile; on a test machine it does not.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
