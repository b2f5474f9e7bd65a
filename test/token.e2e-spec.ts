import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { AddressInfo, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { createSelfSignedCert } from '../src/emulator/self-signed-cert';
import { SpotifyEmulator } from '../src/emulator/spotify-emulator';
import { EmulatorFault } from '../src/emulator/emulator.types';
import { MOBILE_CALLBACK, OTHER_MOBILE_CALLBACK, startEmulator, tokenRequests } from './support/emulator';
import { freePort } from './support/free-port';
import { LogCapture } from './support/log-capture';
import { counterValues } from './support/metrics';
import { answersIn, rawConnection, rawExchange, rawFormPost, receivedUntilClose, receivedWithin } from './support/raw-http';
import { listeningUrl, productionEnvironment, swapFreshCode } from './support/production-service';
import { spawnService } from './support/service-process';
import { serviceEnvironment, startTestApp, TEST_CLIENT, TEST_SECRET, TestApp } from './support/test-app';
import { expectNoStore } from './support/no-store';
import { flipByte } from './support/sealed-text';
import { until } from './support/until';

const UPSTREAM_TIMEOUT_MS = 1000;
/** Room on a busy machine past the deadline; an unbounded trickle would take over ten seconds. */
const DEADLINE_SLACK_MS = 3000;
const BASIC = `Basic ${Buffer.from(`${TEST_CLIENT.clientId}:${TEST_CLIENT.clientSecret}`).toString('base64')}`;
const VERIFIER = 'v'.repeat(43) + '-._~0123456789';

function challengeOf(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

describe('Token swap for mobile SDKs (/swap, /refresh)', () => {
  let emulator: SpotifyEmulator;
  let service: TestApp;
  let http: () => request.Agent;

  beforeAll(async () => {
    emulator = await startEmulator();
    service = await startTestApp(serviceEnvironment(emulator.url, { UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS) }));
    http = () => request.agent(service.url);
  });

  afterAll(async () => {
    await service.close();
    await emulator.stop();
  });

  beforeEach(() => {
    emulator.clearFaults();
    emulator.clearRequests();
    emulator.rotateRefreshTokens = false;
  });

  /** A sealed refresh token, issued the way a client gets one: through /swap. */
  async function sealedRefreshToken(): Promise<string> {
    const response = await http().post('/swap').type('form').send({ code: emulator.mintCode({ redirectUri: MOBILE_CALLBACK }) });
    expect(response.status).toBe(200);
    return response.body.refresh_token as string;
  }

  describe('POST /swap', () => {
    it('swaps an iOS SDK form request and authenticates to Spotify with Basic', async () => {
      const code = emulator.mintCode({ redirectUri: MOBILE_CALLBACK, scope: 'user-read-private streaming' });
      const response = await http()
        .post('/swap')
        .type('form')
        .send({ code, client_id: 'ignored-by-the-service', grant_type: 'authorization_code' });

      expect(response.status).toBe(200);
      expectNoStore(response);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.body).toEqual({
        access_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: 3600,
        scope: 'user-read-private streaming',
        refresh_token: expect.stringMatching(/^[A-Za-z0-9_-]{40,}$/),
      });

      const [received] = emulator.requests;
      expect(received.path).toBe('/api/token');
      expect(received.headers.authorization).toBe(BASIC);
      expect(received.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(received.form).toEqual({ grant_type: 'authorization_code', code, redirect_uri: MOBILE_CALLBACK });
    });

    it('hands out the refresh token sealed, never as Spotify issued it', async () => {
      const response = await http().post('/swap').type('form').send({ code: emulator.mintCode({ redirectUri: MOBILE_CALLBACK }) });
      const raw = emulator.requests.length; // the swap itself
      expect(raw).toBe(1);
      const sealed = response.body.refresh_token as string;
      const refreshed = await http().post('/refresh').type('form').send({ refresh_token: sealed });
      const spotifySaw = emulator.requests[1].form.refresh_token;
      expect(refreshed.status).toBe(200);
      expect(spotifySaw).toMatch(/.+/);
      expect(sealed).not.toContain(spotifySaw);
    });

    it('swaps a JSON request on the alias /api/token', async () => {
      const code = emulator.mintCode({ redirectUri: MOBILE_CALLBACK });
      const response = await http().post('/api/token').send({ code });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ access_token: expect.stringMatching(/^[A-Za-z0-9_-]{16,}$/), token_type: 'Bearer', expires_in: 3600 });
    });

    it('uses a redirect_uri from the body when it is one of CALLBACK_URL', async () => {
      const code = emulator.mintCode({ redirectUri: OTHER_MOBILE_CALLBACK });
      const response = await http().post('/swap').type('form').send({ code, redirect_uri: OTHER_MOBILE_CALLBACK });
      expect(response.status).toBe(200);
      expect(emulator.requests[0].form.redirect_uri).toBe(OTHER_MOBILE_CALLBACK);
    });

    it.each<[string, (code: string) => request.Test]>([
      ['a JSON null', (code) => http().post('/swap').send({ code, redirect_uri: null })],
      ['an empty form field', (code) => http().post('/swap').type('form').send(`code=${code}&redirect_uri=`)],
    ])('takes %s redirect_uri as none given: the first CALLBACK_URL', async (_case, send) => {
      const response = await send(emulator.mintCode({ redirectUri: MOBILE_CALLBACK }));
      expect(response.status).toBe(200);
      expect(emulator.requests[0].form.redirect_uri).toBe(MOBILE_CALLBACK);
    });

    it('refuses a redirect_uri outside CALLBACK_URL without calling Spotify', async () => {
      const code = emulator.mintCode({ redirectUri: MOBILE_CALLBACK });
      const response = await http().post('/swap').type('form').send({ code, redirect_uri: 'https://evil.example/cb' });
      expect(response.status).toBe(400);
      expect(response.body).toEqual({
        error: 'invalid_request',
        error_description: 'redirect_uri is not one of the registered callback URLs',
      });
      expect(emulator.requests).toHaveLength(0);
    });

    it('forwards a PKCE code_verifier, which the emulator checks', async () => {
      const code = emulator.mintCode({ redirectUri: MOBILE_CALLBACK, codeChallenge: challengeOf(VERIFIER) });
      const response = await http().post('/swap').type('form').send({ code, code_verifier: VERIFIER });
      expect(response.status).toBe(200);
      expect(emulator.requests[0].form.code_verifier).toBe(VERIFIER);
    });

    it('passes on Spotify\'s verdict on a wrong PKCE verifier', async () => {
      const code = emulator.mintCode({ redirectUri: MOBILE_CALLBACK, codeChallenge: challengeOf(VERIFIER) });
      const response = await http().post('/swap').type('form').send({ code, code_verifier: 'w'.repeat(43) });
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ error: 'invalid_grant', error_description: 'code_verifier was incorrect' });
    });

    it('passes a used code through as Spotify\'s 400 invalid_grant', async () => {
      const code = emulator.mintCode({ redirectUri: MOBILE_CALLBACK });
      expect((await http().post('/swap').type('form').send({ code })).status).toBe(200);
      const replay = await http().post('/swap').type('form').send({ code });
      expect(replay.status).toBe(400);
      expectNoStore(replay);
      expect(replay.body).toEqual({ error: 'invalid_grant', error_description: 'Invalid authorization code' });
    });
  });

  describe('POST /refresh', () => {
    it('refreshes without rotation and hands back a working token resealed', async () => {
      const sealed = await sealedRefreshToken();
      const response = await http().post('/refresh').type('form').send({ refresh_token: sealed });

      expect(response.status).toBe(200);
      expectNoStore(response);
      expect(response.body).toEqual({
        access_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: 3600,
        scope: expect.any(String),
        refresh_token: expect.stringMatching(/^[A-Za-z0-9_-]+$/),
      });
      expect(response.body.refresh_token).not.toBe(sealed);
      const again = await http().post('/refresh').type('form').send({ refresh_token: response.body.refresh_token });
      expect(again.status).toBe(200);
      // Both refreshes presented the same Spotify token: nothing rotated.
      expect(emulator.requests[1].form.refresh_token).toBe(emulator.requests[2].form.refresh_token);
      expect(emulator.requests[1].headers.authorization).toBe(BASIC);
    });

    it('keeps Spotify\'s rotated refresh token, sealed, and the old one stops working', async () => {
      emulator.rotateRefreshTokens = true;
      const sealed = await sealedRefreshToken();
      const first = await http().post('/refresh').send({ refresh_token: sealed });
      expect(first.status).toBe(200);
      const second = await http().post('/refresh').send({ refresh_token: first.body.refresh_token });
      expect(second.status).toBe(200);
      expect(emulator.requests[2].form.refresh_token).not.toBe(emulator.requests[1].form.refresh_token);
      const stale = await http().post('/refresh').send({ refresh_token: sealed });
      expect(stale.status).toBe(400);
      expect(stale.body).toEqual({ error: 'invalid_grant', error_description: 'Refresh token revoked' });
    });

    it('passes a revoked refresh token through as Spotify\'s 400', async () => {
      const sealed = await sealedRefreshToken();
      await http().post('/refresh').send({ refresh_token: sealed });
      emulator.revokeRefreshToken(emulator.requests[1].form.refresh_token);
      const response = await http().post('/api/refresh_token').type('form').send({ refresh_token: sealed });
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ error: 'invalid_grant', error_description: 'Refresh token revoked' });
    });
  });

  describe('Spotify failures map to DESIGN.md statuses in bounded time', () => {
    const faults: Array<[string, EmulatorFault, number, string]> = [
      ['5xx with HTML', { kind: 'status', status: 503, body: '<html>down</html>', contentType: 'text/html' }, 502, 'upstream_error'],
      ['500 empty', { kind: 'status', status: 500, body: '' }, 502, 'upstream_error'],
      ['truncated JSON', { kind: 'truncated' }, 502, 'upstream_error'],
      ['non-JSON 200', { kind: 'non-json' }, 502, 'upstream_error'],
      ['JSON without a token', { kind: 'garbage-json' }, 502, 'upstream_error'],
      ['a 4xx that is not an OAuth error', { kind: 'status', status: 404, body: '<html>not here</html>', contentType: 'text/html' }, 502, 'upstream_error'],
      ['an answer over 64 KB', { kind: 'status', status: 200, body: JSON.stringify({ access_token: 'a'.repeat(70_000), expires_in: 3600 }), contentType: 'application/json' }, 502, 'upstream_error'],
      ['no answer at all', { kind: 'hang' }, 504, 'upstream_timeout'],
      ['an answer too slow', { kind: 'latency', ms: UPSTREAM_TIMEOUT_MS + 500 }, 504, 'upstream_timeout'],
      // Never idle for long, so only a deadline on the whole call (not an idle timer) ends it.
      ['a body trickling in past the deadline', { kind: 'trickle', byteIntervalMs: UPSTREAM_TIMEOUT_MS / 10 }, 504, 'upstream_timeout'],
    ];

    it.each(faults)('%s → %s %s', async (_name, fault, status, error) => {
      const sealed = await sealedRefreshToken();
      emulator.injectFault(fault);
      const started = Date.now();
      const response = await http().post('/refresh').type('form').send({ refresh_token: sealed });
      expect(Date.now() - started).toBeLessThan(UPSTREAM_TIMEOUT_MS + DEADLINE_SLACK_MS);
      expect(response.status).toBe(status);
      expect(response.body).toEqual({ error, error_description: expect.any(String) });
      expect(JSON.stringify(response.body)).not.toMatch(/html|<|stack/i);
      expectNoStore(response);
    });

    it.each(faults.filter(([name]) => ['5xx with HTML', 'truncated JSON', 'no answer at all', 'a body trickling in past the deadline'].includes(name)))(
      '/swap too: %s → %s %s',
      async (_name, fault, status, error) => {
        emulator.injectFault(fault);
        const started = Date.now();
        const response = await http().post('/swap').type('form').send({ code: emulator.mintCode({ redirectUri: MOBILE_CALLBACK }) });
        expect(Date.now() - started).toBeLessThan(UPSTREAM_TIMEOUT_MS + DEADLINE_SLACK_MS);
        expect(response.status).toBe(status);
        expect(response.body).toEqual({ error, error_description: expect.any(String) });
        expectNoStore(response);
      },
    );

    it.each<[string, (sealed: string) => request.Test]>([
      ['/refresh', (sealed) => http().post('/refresh').type('form').send({ refresh_token: sealed })],
      ['/swap', () => http().post('/swap').type('form').send({ code: emulator.mintCode({ redirectUri: MOBILE_CALLBACK }) })],
    ])('rate limiting at %s → 429 temporarily_unavailable with Spotify\'s Retry-After', async (_route, send) => {
      const sealed = await sealedRefreshToken();
      emulator.injectFault({ kind: 'rate-limit', retryAfterSeconds: 17 });
      const response = await send(sealed);
      expect(response.status).toBe(429);
      expect(response.headers['retry-after']).toBe('17');
      expect(response.body.error).toBe('temporarily_unavailable');
      expectNoStore(response);
    });

    it('a token answer with a field nested thousands deep is passed on without that field, not as a 500', async () => {
      const nested = `${'['.repeat(5000)}${']'.repeat(5000)}`;
      const body = `{"access_token":"at-nested","token_type":"Bearer","expires_in":3600,"deep":${nested}}`;
      emulator.injectFault({ kind: 'status', status: 200, body, contentType: 'application/json' });
      const response = await http().post('/swap').type('form').send({ code: emulator.mintCode({ redirectUri: MOBILE_CALLBACK }) });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ access_token: 'at-nested', token_type: 'Bearer', expires_in: 3600 });
    });

    it('a reset on a reused pooled socket is retried once, invisibly', async () => {
      const sealed = await sealedRefreshToken(); // warms a pooled keep-alive socket
      emulator.injectFault({ kind: 'reset' }, 1);
      emulator.resetCounters();
      const response = await http().post('/refresh').type('form').send({ refresh_token: sealed });
      expect(response.status).toBe(200);
      expect(tokenRequests(emulator)).toHaveLength(3);
      // The reset try went out on the warm socket; only the retry needed a new connection.
      expect(emulator.connectionsAccepted).toBe(1);
    });

    it('opens no more than UPSTREAM_MAX_SOCKETS sockets to Spotify: further calls wait for a free one', async () => {
      const capped = await startTestApp(serviceEnvironment(emulator.url, { UPSTREAM_MAX_SOCKETS: '1' }));
      try {
        const codes = [emulator.mintCode({ redirectUri: MOBILE_CALLBACK }), emulator.mintCode({ redirectUri: MOBILE_CALLBACK })];
        // Slow enough that the calls overlap: without the cap the second would open a socket of its own.
        emulator.injectFault({ kind: 'latency', ms: 300 }, 2);
        emulator.resetCounters();
        const responses = await Promise.all(codes.map((code) => request(capped.url).post('/swap').type('form').send({ code })));
        expect(responses.map((response) => response.status)).toEqual([200, 200]);
        expect(tokenRequests(emulator)).toHaveLength(2);
        expect(emulator.connectionsAccepted).toBe(1);
      } finally {
        await capped.close();
      }
    });

    it('a connection lost on a fresh socket is not retried: a code Spotify may have spent is never sent twice', async () => {
      // Its own instance, so no warm pooled socket exists.
      const isolated = await startTestApp(serviceEnvironment(emulator.url));
      try {
        emulator.injectFault({ kind: 'reset', afterGranting: true });
        emulator.clearRequests();
        const response = await request(isolated.url).post('/swap').type('form').send({ code: emulator.mintCode({ redirectUri: MOBILE_CALLBACK }) });
        // A retry would have met the spent code and answered invalid_grant.
        expect(response.status).toBe(502);
        expect(response.body.error).toBe('upstream_error');
        expect(tokenRequests(emulator)).toHaveLength(1);
      } finally {
        await isolated.close();
      }
    });

    it('a connection lost in the TLS hand-shake, before the request was written, is retried on a new one', async () => {
      const cert = createSelfSignedCert();
      const dir = mkdtempSync(join(tmpdir(), 'handshake-reset-'));
      writeFileSync(join(dir, 'ca.pem'), cert.cert);
      const tlsEmulator = await startEmulator({ tls: cert });
      // In front of it: the first connection is reset as the client's hello arrives, later ones pass through.
      let connections = 0;
      const relay = createServer((socket) => {
        connections += 1;
        if (connections === 1) {
          socket.once('data', () => socket.resetAndDestroy());
          return;
        }
        const upstream = connect(Number(new URL(tlsEmulator.url).port), '127.0.0.1');
        socket.pipe(upstream).pipe(socket);
        upstream.on('error', () => socket.destroy());
        socket.on('error', () => upstream.destroy());
      });
      await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
      // Its own process: Node reads NODE_EXTRA_CA_CERTS only as it starts.
      const service = spawnService({
        ...productionEnvironment(`https://127.0.0.1:${(relay.address() as AddressInfo).port}`, {
          CLIENT_SECRET: TEST_CLIENT.clientSecret,
          ENCRYPTION_SECRET: TEST_SECRET,
        }),
        NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem'),
      });
      try {
        const response = await swapFreshCode(await listeningUrl(service), tlsEmulator);
        expect(response.status).toBe(200);
        expect(connections).toBe(2);
        expect(tokenRequests(tlsEmulator)).toHaveLength(1);
      } finally {
        service.child.kill('SIGTERM');
        await service.exited;
        relay.close();
        await tlsEmulator.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    // The pool keeps an idle socket at most 4 s, or 2 s less than the server's Keep-Alive hint,
    // whichever is shorter. This Spotify keeps idle sockets a minute: only the pool's own limit
    // can explain a new connection.
    it('retires a pooled socket idle for 4 s, before Spotify (5 s) would close it: the next call connects afresh', async () => {
      const patient = await startEmulator({ keepAliveTimeoutMs: 60_000 });
      const pooled = await startTestApp(serviceEnvironment(patient.url));
      try {
        const swapped = await request(pooled.url).post('/swap').type('form').send({ code: patient.mintCode({ redirectUri: MOBILE_CALLBACK }) });
        expect(patient.connectionsAccepted).toBe(1);
        // undici checks idle sockets on a coarse timer: well past 4 s, long before a minute.
        await sleep(5_500);
        const response = await request(pooled.url).post('/refresh').type('form').send({ refresh_token: swapped.body.refresh_token });
        expect(response.status).toBe(200);
        expect(tokenRequests(patient)).toHaveLength(2);
        expect(patient.connectionsAccepted).toBe(2);
      } finally {
        await pooled.close();
        await patient.stop();
      }
    });

    it('a reset that persists → 502 upstream_error after one retry', async () => {
      const sealed = await sealedRefreshToken();
      emulator.injectFault({ kind: 'reset' }, 3);
      emulator.clearRequests();
      const response = await http().post('/refresh').type('form').send({ refresh_token: sealed });
      expect(response.status).toBe(502);
      expect(response.body.error).toBe('upstream_error');
      // The first try and exactly one retry; the third queued reset is never reached.
      expect(tokenRequests(emulator)).toHaveLength(2);
    });

    it('connection refused → 502 upstream_error', async () => {
      // Nothing listens on a port just found free.
      const isolated = await startTestApp(serviceEnvironment(`http://127.0.0.1:${await freePort()}`));
      try {
        const sealed = await sealedRefreshToken();
        const response = await request(isolated.url).post('/refresh').type('form').send({ refresh_token: sealed });
        expect(response.status).toBe(502);
        expect(response.body.error).toBe('upstream_error');
      } finally {
        await isolated.close();
      }
    });

    it('stays healthy after every fault', async () => {
      const sealed = await sealedRefreshToken();
      expect((await http().post('/refresh').type('form').send({ refresh_token: sealed })).status).toBe(200);
    });
  });

  describe('bad input gets a 4xx OAuth error, never a 500', () => {
    const tenKilobytes = 'a'.repeat(10 * 1024);
    const oneMegabyte = 'a'.repeat(1024 * 1024);

    type Send = (agent: request.Agent) => request.Test;
    const cases: Array<[string, Send, number, string]> = [
      ['swap without code', (a) => a.post('/swap').type('form').send({ client_id: 'x' }), 400, 'code is required'],
      ['swap with empty code', (a) => a.post('/swap').type('form').send({ code: '' }), 400, 'code is required'],
      ['swap with a numeric JSON code', (a) => a.post('/swap').send({ code: 42 }), 400, 'code must be a string'],
      ['swap with a 10 KB code', (a) => a.post('/swap').type('form').send({ code: tenKilobytes }), 400, 'code must be at most 1024 characters'],
      ['swap with a 1 MB code', (a) => a.post('/swap').type('form').send({ code: oneMegabyte }), 413, 'Request body is larger than 16kb'],
      ['swap with a bad code_verifier', (a) => a.post('/swap').type('form').send({ code: 'c', code_verifier: 'short' }), 400, 'code_verifier must be 43 to 128 characters'],
      ['swap with redirect_uri twice', (a) => a.post('/swap').type('form').send('code=c&redirect_uri=myapp%3A%2F%2Fa&redirect_uri=myapp%3A%2F%2Fb'), 400, 'redirect_uri must be a string'],
      ['swap with code_verifier twice', (a) => a.post('/swap').type('form').send(`code=c&code_verifier=${'v'.repeat(43)}&code_verifier=${'v'.repeat(43)}`), 400, 'code_verifier must be a string'],
      ['swap as text/plain', (a) => a.post('/swap').type('text/plain').send('code=abc'), 400, 'Content-Type must be application/x-www-form-urlencoded or application/json'],
      ['swap without a body', (a) => a.post('/swap'), 400, 'Content-Type must be'],
      ['swap with malformed JSON', (a) => a.post('/swap').type('json').send('{"code":'), 400, 'Request body is not valid JSON'],
      ['swap with a JSON array', (a) => a.post('/swap').type('json').send('[1,2]'), 400, 'code is required'],
      ['swap with a gzip body that does not decompress', (a) => a.post('/swap').type('form').set('Content-Encoding', 'gzip').send('code=abc'), 400, 'Request body could not be read'],
      ['refresh with a deflate JSON body that does not decompress', (a) => a.post('/refresh').type('json').set('Content-Encoding', 'deflate').send('{"refresh_token":"x"}'), 400, 'Request body could not be read'],
      ['refresh without token', (a) => a.post('/refresh').type('form').send({}), 400, 'refresh_token is required'],
      ['refresh with empty token', (a) => a.post('/refresh').send({ refresh_token: '' }), 400, 'refresh_token is required'],
      ['refresh with a 10 KB token', (a) => a.post('/refresh').type('form').send({ refresh_token: tenKilobytes }), 400, 'refresh_token must be at most 4096 characters'],
      ['refresh with a 1 MB token', (a) => a.post('/refresh').send({ refresh_token: oneMegabyte }), 413, 'Request body is larger than 16kb'],
      ['refresh with a raw Spotify token', (a) => a.post('/refresh').type('form').send({ refresh_token: 'AQBrawSpotifyToken' }), 400, 'Invalid refresh token'],
      ['refresh with an object', (a) => a.post('/refresh').send({ refresh_token: { $ne: 1 } }), 400, 'refresh_token must be a string'],
      ['an unknown route', (a) => a.get('/nope'), 404, 'No such route'],
      ['GET on /swap', (a) => a.get('/swap'), 404, 'No such route'],
    ];

    it.each(cases)('%s', async (_name, send, status, description) => {
      const response = await send(http());
      expect(response.status).toBe(status);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.body.error).toBe(status === 404 ? 'not_found' : status === 400 && description === 'Invalid refresh token' ? 'invalid_grant' : 'invalid_request');
      expect(response.body.error_description).toContain(description);
      expect(emulator.requests).toHaveLength(0);
      expectNoStore(response);
    });

    const tamperings: Array<[string, (sealed: string) => string]> = [
      ['version byte flipped', (s) => flipByte(s, 0)],
      ['key id flipped', (s) => flipByte(s, 3)],
      ['IV flipped', (s) => flipByte(s, 10)],
      ['ciphertext flipped', (s) => flipByte(s, 20)],
      ['tag flipped', (s) => flipByte(s, Buffer.from(s, 'base64url').length - 1)],
      ['truncated', (s) => s.slice(0, s.length - 10)],
      ['extended', (s) => `${s}AAAA`],
      ['not base64url', (s) => `${s.slice(0, -2)}+/`],
    ];

    it.each(tamperings)('a sealed token with %s → 400 invalid_grant, Spotify not called', async (_name, damage) => {
      const sealed = await sealedRefreshToken();
      emulator.clearRequests();
      const response = await http().post('/refresh').type('form').send({ refresh_token: damage(sealed) });
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ error: 'invalid_grant', error_description: 'Invalid refresh token' });
      expect(emulator.requests).toHaveLength(0);
    });

    it('another deployment\'s token → 400 invalid_grant', async () => {
      const other = await startTestApp(serviceEnvironment(emulator.url, { ENCRYPTION_SECRET: 'another-deployment-secret-0123456789' }));
      try {
        const code = emulator.mintCode({ redirectUri: MOBILE_CALLBACK });
        const foreign = (await request(other.url).post('/swap').type('form').send({ code })).body.refresh_token as string;
        const response = await http().post('/refresh').type('form').send({ refresh_token: foreign });
        expect(response.status).toBe(400);
        expect(response.body.error).toBe('invalid_grant');
      } finally {
        await other.close();
      }
    });

    it.each<[string, string, string, string]>([
      ['malformed HTTP', 'GET /health HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n', '400 Bad Request', 'Malformed HTTP request'],
      ['headers over Node\'s 16 KiB', `POST /swap HTTP/1.1\r\nHost: x\r\nX-Padding: ${'a'.repeat(20_000)}\r\n\r\n`, '431 Request Header Fields Too Large', 'Request headers are too large'],
    ])('%s, refused by Node before any route, still gets OAuth JSON', async (_case, bytes, status, description) => {
      const answer = await rawExchange(service.url, bytes);
      const [head, body] = answer.split('\r\n\r\n');
      expect(head.split('\r\n')[0]).toBe(`HTTP/1.1 ${status}`);
      expect(head).toContain('Content-Type: application/json; charset=utf-8');
      expect(head).toContain('Cache-Control: no-store');
      expect(JSON.parse(body)).toEqual({ error: 'invalid_request', error_description: description });
    });

    it.each([1, 2])(
      'garbage after %i complete request(s), or a body longer than its Content-Length: each is still answered (its code is spent), then the connection closes',
      async (requests) => {
        const swapRequest = () => rawFormPost('/swap', `code=${emulator.mintCode({ redirectUri: MOBILE_CALLBACK })}`);
        // What follows the last announced length is parsed as a next request, and is not one.
        const bytes = `${Array.from({ length: requests }, swapRequest).join('')}&client_id=x`;
        // Written without ending: a client that half-closes has gone, as far as Node's server is concerned.
        const socket = rawConnection(service.url);
        socket.write(bytes);
        const answers = answersIn((await receivedWithin(socket, 5_000)).received);
        expect(answers.map((answer) => answer.statusLine)).toEqual(Array(requests).fill('HTTP/1.1 200 OK'));
        expect(answers.map((answer) => answer.connection)).toEqual([...Array(requests - 1).fill('keep-alive'), 'close']);
        for (const answer of answers) {
          expect(JSON.parse(answer.body)).toMatchObject({ access_token: expect.any(String), refresh_token: expect.any(String) });
        }
        expect(tokenRequests(emulator)).toHaveLength(requests);
      },
    );

    it('garbage after a slow request and a fast one pipelined behind it, already answered: both answers go out, then the connection closes', async () => {
      emulator.injectFault({ kind: 'latency', ms: 500 });
      const socket = rawConnection(service.url);
      socket.write(`${rawFormPost('/swap', `code=${emulator.mintCode({ redirectUri: MOBILE_CALLBACK })}`)}GET /no/such/path HTTP/1.1\r\nHost: x\r\n\r\n`);
      const exchange = receivedWithin(socket, 5_000);
      // Once the 404 is written, queued behind the /swap that waits on Spotify.
      await sleep(200);
      socket.write('&garbage');
      const { received, closedByServer } = await exchange;
      const answers = answersIn(received);
      expect(answers.map((answer) => answer.statusLine)).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 404 Not Found']);
      expect(JSON.parse(answers[0].body)).toMatchObject({ access_token: expect.any(String) });
      expect(closedByServer).toBe(true);
      // Let go of on the server's side too: a half-closed socket it no longer reads would hold it open.
      const server = service.app.getHttpServer() as Server;
      await until('the server to hold no connection', () => new Promise<boolean>((resolve) => server.getConnections((_error, open) => resolve(open === 0))));
    });

    /**
     * What the service sends back to `start` followed by `more`, again and again: the client never
     * stops, so only the server can end this exchange (or, failing, a 3 s give-up).
     */
    async function sentWithoutEnd(start: string, more: string): Promise<{ received: string; closedByServer: boolean }> {
      const socket = rawConnection(service.url);
      socket.write(start);
      const dribble = setInterval(() => socket.write(more), 20);
      try {
        return await receivedWithin(socket, 3_000);
      } finally {
        clearInterval(dribble);
        socket.destroy();
      }
    }

    const kilobyteChunk = `400\r\n${'a'.repeat(1024)}\r\n`;
    const FORM = 'Content-Type: application/x-www-form-urlencoded\r\n';
    const CHUNKED = `Transfer-Encoding: chunked\r\n\r\n5\r\ncode=\r\n`;
    it.each([
      ['announced over 16 KiB is refused at once', `${FORM}Content-Length: 1000000000\r\n\r\ncode=`, 'a'.repeat(1024)],
      ['sent in chunks is refused once it passes 16 KiB', `${FORM}${CHUNKED}`, kilobyteChunk],
      // What body-parser reads (an encoding, a charset it converts) is counted all the same.
      ['sent in chunks with a Content-Encoding is refused once it passes 16 KiB', `${FORM}Content-Encoding: identity\r\n${CHUNKED}`, kilobyteChunk],
      ['sent in chunks with another charset is refused once it passes 16 KiB', `Content-Type: application/x-www-form-urlencoded; charset=ISO-8859-1\r\n${CHUNKED}`, kilobyteChunk],
    ])('a body %s, with the connection closed, however long the client would send', async (_case, headersAndStart, more) => {
      const { received, closedByServer } = await sentWithoutEnd(`POST /swap HTTP/1.1\r\nHost: x\r\n${headersAndStart}`, more);
      expect(closedByServer).toBe(true);
      const [head, body] = received.split('\r\n\r\n');
      expect(head.split('\r\n')[0]).toBe('HTTP/1.1 413 Payload Too Large');
      expect(head).toContain('Connection: close');
      expect(JSON.parse(body)).toEqual({ error: 'invalid_request', error_description: 'Request body is larger than 16kb' });
    });

    it('a chunked body of a type no route takes: refused for its type, and its connection dropped once it passes 16 KiB instead of read to the end', async () => {
      const { received, closedByServer } = await sentWithoutEnd(`POST /swap HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n${CHUNKED}`, kilobyteChunk);
      expect(closedByServer).toBe(true);
      expect(answersIn(received).map((answer) => answer.statusLine)).toEqual(['HTTP/1.1 400 Bad Request']);
    });

    it('reads a chunked body within the limit like any other', async () => {
      const form = `code=${emulator.mintCode({ redirectUri: MOBILE_CALLBACK })}`;
      const chunk = (text: string) => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;
      const socket = rawConnection(service.url);
      socket.write(
        `POST /swap HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n${chunk(form.slice(0, 9))}${chunk(form.slice(9))}0\r\n\r\n`,
      );
      const [answer] = answersIn(await receivedUntilClose(socket));
      expect(answer.statusLine).toBe('HTTP/1.1 200 OK');
      expect(JSON.parse(answer.body)).toMatchObject({ access_token: expect.any(String), refresh_token: expect.any(String) });
    });

    it('still serves normally after all of that', async () => {
      const sealed = await sealedRefreshToken();
      expect((await http().post('/refresh').type('form').send({ refresh_token: sealed })).status).toBe(200);
    });
  });
});

describe('Rotating ENCRYPTION_SECRET logs nobody out', () => {
  const OLD = 'the-old-encryption-secret-0123456789';
  const NEW = 'the-new-encryption-secret-0123456789';
  let emulator: SpotifyEmulator;

  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator.stop());

  it('opens a token sealed under a previous secret and hands back one sealed under the current', async () => {
    const before = await startTestApp(serviceEnvironment(emulator.url, { ENCRYPTION_SECRET: OLD }));
    const code = emulator.mintCode({ redirectUri: MOBILE_CALLBACK });
    const oldToken = (await request(before.url).post('/swap').type('form').send({ code })).body.refresh_token as string;
    await before.close();

    const rotated = await startTestApp(serviceEnvironment(emulator.url, { ENCRYPTION_SECRET: NEW, ENCRYPTION_SECRET_PREVIOUS: OLD }));
    const retiredOnly = await startTestApp(serviceEnvironment(emulator.url, { ENCRYPTION_SECRET: NEW }));
    try {
      expect((await request(retiredOnly.url).post('/refresh').type('form').send({ refresh_token: oldToken })).status).toBe(400);

      const response = await request(rotated.url).post('/refresh').type('form').send({ refresh_token: oldToken });
      expect(response.status).toBe(200);
      const migrated = response.body.refresh_token as string;
      // Once the old secret is dropped, only the migrated token still works.
      const afterDrop = await request(retiredOnly.url).post('/refresh').type('form').send({ refresh_token: migrated });
      expect(afterDrop.status).toBe(200);
    } finally {
      await rotated.close();
      await retiredOnly.close();
    }
  });

  it('survives a rolling rotation: instances announcing the new secret and instances sealing with it read each other', async () => {
    // Step 2 of the README's procedure everywhere first (announce), then step 3 rolls out: both kinds serve at once.
    const announcing = await startTestApp(serviceEnvironment(emulator.url, { ENCRYPTION_SECRET: OLD, ENCRYPTION_SECRET_PREVIOUS: NEW }));
    const switched = await startTestApp(serviceEnvironment(emulator.url, { ENCRYPTION_SECRET: NEW, ENCRYPTION_SECRET_PREVIOUS: OLD }));
    try {
      const swapVia = async (url: string) =>
        (await request(url).post('/swap').type('form').send({ code: emulator.mintCode({ redirectUri: MOBILE_CALLBACK }) })).body.refresh_token as string;
      const refreshVia = (url: string, token: string) => request(url).post('/refresh').type('form').send({ refresh_token: token });

      expect((await refreshVia(announcing.url, await swapVia(switched.url))).status).toBe(200);
      expect((await refreshVia(switched.url, await swapVia(announcing.url))).status).toBe(200);
    } finally {
      await announcing.close();
      await switched.close();
    }
  });
});

describe('a wrong CLIENT_SECRET', () => {
  it('passes Spotify\'s invalid_client on to the caller, counts it for an alert and warns the operator once, without the secret', async () => {
    const emulator = await startEmulator();
    const logs = new LogCapture();
    const wrongSecret = 'wrong-client-secret-value';
    const service = await startTestApp(serviceEnvironment(emulator.url, { CLIENT_SECRET: wrongSecret, LOG_LEVEL: 'info' }), { logDestination: logs });
    try {
      const response = await request(service.url).post('/swap').type('form').send({ code: emulator.mintCode({ redirectUri: MOBILE_CALLBACK }) });
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ error: 'invalid_client', error_description: 'Invalid client secret' });
      expect(await counterValues(service.url, 'spotify_oauth_errors_total')).toEqual({ invalid_client: 1 });
      await until('the access line', () => logs.accessEntries.length > 0);
      const warnings = logs.entries.filter((entry) => entry.level === 40);
      expect(warnings).toEqual([
        expect.objectContaining({ error: 'invalid_client', detail: expect.stringContaining('check CLIENT_ID and CLIENT_SECRET') }),
      ]);
      expect(logs.text()).not.toContain(wrongSecret);
      expect(logs.text()).not.toContain(Buffer.from(`${TEST_CLIENT.clientId}:${wrongSecret}`).toString('base64'));
    } finally {
      await service.close();
      await emulator.stop();
    }
  });
});

describe('/swap without CALLBACK_URL', () => {
  it('answers 501 server_error naming the variable to set, whatever the request (as /login does without FINAL_URI)', async () => {
    const emulator = await startEmulator();
    const service = await startTestApp(serviceEnvironment(emulator.url, { CALLBACK_URL: '' }));
    try {
      const requests = [
        request(service.url).post('/swap').type('form').send({ code: 'abc' }),
        request(service.url).post('/api/token').type('form').send({ foo: '1' }),
        request(service.url).post('/swap').set('Content-Type', 'text/plain').send('code=abc'),
      ];
      for (const response of await Promise.all(requests)) {
        expect(response.status).toBe(501);
        expect(response.body).toEqual({ error: 'server_error', error_description: 'Token swap is not configured on this server: set CALLBACK_URL' });
      }
    } finally {
      await service.close();
      await emulator.stop();
    }
  });
});
