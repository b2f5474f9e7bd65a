import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { BODY_LIMIT_BYTES } from '../src/common/body-limit';
import { Sealer } from '../src/crypto/sealer';
import { DEFAULT_UPSTREAM_MAX_SOCKETS, DEFAULT_UPSTREAM_TIMEOUT_MS, IDLE_SOCKET_TIMEOUT_MS } from '../src/spotify/spotify.constants';
import type { BaselineReady } from './control';

/**
 * The floor of per-request cost on this machine: the smallest honest program that does what
 * `/refresh` and `/swap` do. Same sealing class, same key derivation (once), same keep-alive
 * HTTPS to the emulator with a deadline, through the same cheapest client the service uses
 * (an undici Pool: node's https.Agent costs more per call), same response headers; no framework.
 */
const env = process.env as Record<string, string>;
const tokenUrl = new URL('/api/token', env.SPOTIFY_ACCOUNTS_URL);
const authorization = `Basic ${Buffer.from(`${env.CLIENT_ID}:${env.CLIENT_SECRET}`).toString('base64')}`;
const redirectUri = env.CALLBACK_URL;
const sealer = new Sealer('refresh-token', env.CLIENT_ID, env.ENCRYPTION_SECRET);
// The service's defaults: its deadline, pool size, and idle sockets retired before the emulator's 5 s.
const UPSTREAM_TIMEOUT_MS = DEFAULT_UPSTREAM_TIMEOUT_MS;
const pool = new Pool(tokenUrl.origin, {
  connections: DEFAULT_UPSTREAM_MAX_SOCKETS,
  pipelining: 1,
  keepAliveTimeout: IDLE_SOCKET_TIMEOUT_MS,
  keepAliveMaxTimeout: IDLE_SOCKET_TIMEOUT_MS,
});

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    pragma: 'no-cache',
  });
  res.end(text);
}

function fail(res: ServerResponse, status: number, error: string): void {
  reply(res, status, { error, error_description: error });
}

function callSpotify(form: URLSearchParams, done: (status: number, text: string) => void): void {
  pool
    .request({
      path: tokenUrl.pathname,
      method: 'POST',
      signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS),
      headers: {
        authorization,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: form.toString(),
    })
    .then((response) => response.body.text().then((text) => [response.statusCode, text] as const))
    .then(([status, text]) => done(status, text), () => done(0, ''));
}

function handle(req: IncomingMessage, res: ServerResponse, body: string): void {
  const form = new URLSearchParams(body);
  let upstream: URLSearchParams;
  let presented: string | undefined;
  if (req.url === '/refresh') {
    const opened = sealer.open(form.get('refresh_token') ?? '');
    if (!opened) return fail(res, 400, 'invalid_grant');
    presented = opened.value;
    upstream = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: opened.value });
  } else {
    const code = form.get('code');
    if (!code) return fail(res, 400, 'invalid_request');
    upstream = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri });
  }
  callSpotify(upstream, (status, text) => {
    let tokens: Record<string, unknown>;
    try {
      tokens = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return fail(res, 502, 'upstream_error');
    }
    if (status !== 200) return fail(res, 502, 'upstream_error');
    const refreshToken = (tokens.refresh_token as string | undefined) ?? presented;
    reply(res, 200, refreshToken === undefined ? tokens : { ...tokens, refresh_token: sealer.seal(refreshToken) });
  });
}

const server = createServer((req, res) => {
  if (req.method !== 'POST' || (req.url !== '/refresh' && req.url !== '/swap')) return fail(res, 404, 'not_found');
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > BODY_LIMIT_BYTES) {
      fail(res, 413, 'invalid_request');
      req.destroy();
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
});

server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port } satisfies BaselineReady);
});

// Exiting (not dying of the signal) lets `--cpu-prof` write its profile.
const stop = () => {
  server.close();
  void pool.destroy();
  process.exit(0);
};
process.on('disconnect', stop);
process.on('SIGTERM', stop);
