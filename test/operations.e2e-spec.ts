import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { join } from 'node:path';
import request from 'supertest';
import { keyIdOf, Sealer } from '../src/crypto/sealer';
import { SpotifyEmulator } from '../src/emulator/spotify-emulator';
import { drainAndClose } from '../src/health/graceful-shutdown';
import { ReadinessService } from '../src/health/readiness.service';
import { MOBILE_CALLBACK, startEmulator, tokenRequests } from './support/emulator';
import { startFakeRedis } from './support/fake-redis';
import { LogCapture } from './support/log-capture';
import { answersIn, rawConnection, rawFormPost, receivedUntilClose } from './support/raw-http';
import { counterGains, counterValues } from './support/metrics';
import { serviceEnvironment, startTestApp, TEST_CLIENT, TEST_SECRET, TestApp } from './support/test-app';
import { until } from './support/until';

const APP_ORIGIN = 'https://app.example.com';

describe('Running it like production', () => {
  let emulator: SpotifyEmulator;

  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator.stop());
  beforeEach(() => {
    emulator.clearFaults();
    emulator.latencyMs = 0;
  });

  async function swap(service: TestApp): Promise<request.Response> {
    return request(service.url).post('/swap').type('form').send({ code: emulator.mintCode({ redirectUri: MOBILE_CALLBACK }) });
  }

  describe('health and readiness', () => {
    let service: TestApp;
    beforeAll(async () => {
      service = await startTestApp(serviceEnvironment(emulator.url));
    });
    afterAll(() => service.close());

    it('answers liveness and readiness while serving', async () => {
      const live = await request(service.url).get('/health');
      expect(live.status).toBe(200);
      expect(live.body).toMatchObject({ status: 'ok' });
      const ready = await request(service.url).get('/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body).toMatchObject({ status: 'ok', details: { lifecycle: { status: 'up', state: 'serving' } } });
    });

    it('stays ready while Spotify is down: one blip must not empty the pool', async () => {
      emulator.injectFault({ kind: 'status', status: 503 }, 5);
      expect((await swap(service)).status).toBe(502);
      expect((await request(service.url).get('/health/ready')).status).toBe(200);
    });
  });

  describe('graceful shutdown', () => {
    /** What drainAndClose logs, kept for the assertions. */
    const shutdownLogger = () => ({ log: jest.fn(), warn: jest.fn(), error: jest.fn() });

    /** Resolves once the emulator has taken `count` token requests: the last one is now in flight upstream. */
    async function upstreamReceived(count: number): Promise<void> {
      await until(`token request ${count} to reach the emulator`, () => tokenRequests(emulator).length >= count);
    }

    it('turns not-ready, finishes the in-flight request waiting on Spotify, then closes', async () => {
      // Far above the 3 s Spotify takes: the request must finish, however slow the machine.
      const service = await startTestApp(serviceEnvironment(emulator.url, { UPSTREAM_TIMEOUT_MS: '10000' }));
      const sealed = (await swap(service)).body.refresh_token as string;
      // Longer than the delay below: the listener closes while the request still waits on Spotify.
      emulator.latencyMs = 3000;
      const received = tokenRequests(emulator).length;

      const inFlight = request(service.url).post('/refresh').type('form').send({ refresh_token: sealed });
      const answered = inFlight.then((response) => response);
      await upstreamReceived(received + 1);
      const logger = shutdownLogger();
      // Not ready from the first moment; the listener stays open for the delay, long enough for
      // the probe below to connect however slow the machine.
      // A balancer's kept-alive connection, opened and used before the shutdown began.
      const balancer = rawConnection(service.url);
      let probeAnswers = '';
      balancer.on('data', (chunk: Buffer) => (probeAnswers += chunk.toString('utf8')));
      const closed = new Promise((resolve) => balancer.once('close', resolve));
      balancer.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
      await until('the first answer on that connection', () => probeAnswers.includes('"status":"ok"'));
      const drained = drainAndClose(service.app, { shutdownDelayMs: 2000, shutdownGraceMs: 8000 }, logger);
      balancer.write('GET /health/ready HTTP/1.1\r\nHost: x\r\n\r\n');
      await closed;
      // Its next answer tells it to go: a keep-alive one would leave it sending to a closed listener.
      const probes = answersIn(probeAnswers);
      expect(probes.map((answer) => [answer.statusLine, answer.connection])).toEqual([
        ['HTTP/1.1 200 OK', 'keep-alive'],
        ['HTTP/1.1 503 Service Unavailable', 'close'],
      ]);
      expect(JSON.parse(probes[1].body)).toEqual({ error: 'temporarily_unavailable', error_description: 'This instance is not ready to serve' });

      const response = await answered;
      expect(response.status).toBe(200);
      expect(typeof response.body.access_token).toBe('string');
      await drained;
      await expect(request(service.url).get('/health')).rejects.toThrow(/ECONNREFUSED/);
      expect(logger.warn).not.toHaveBeenCalled();
      expect(logger.log).toHaveBeenLastCalledWith('Shut down cleanly', 'Shutdown');
    });

    it('closes the connection of a request that was in flight when the shutdown began, instead of holding it to the deadline', async () => {
      const service = await startTestApp(serviceEnvironment(emulator.url, { UPSTREAM_TIMEOUT_MS: '10000' }));
      const sealed = (await swap(service)).body.refresh_token as string;
      emulator.latencyMs = 1000;
      const received = tokenRequests(emulator).length;
      // fetch keeps its socket for the next call, as a balancer does.
      const answered = fetch(`${service.url}/refresh`, { method: 'POST', body: new URLSearchParams({ refresh_token: sealed }) });
      await upstreamReceived(received + 1);
      const logger = shutdownLogger();
      await drainAndClose(service.app, { shutdownDelayMs: 0, shutdownGraceMs: 5_000 }, logger);
      const response = await answered;
      expect(response.status).toBe(200);
      expect(response.headers.get('connection')).toBe('close');
      // Kept alive, the idle socket would have held the close to the deadline, counted as a cut request.
      expect(logger.warn).not.toHaveBeenCalled();
      expect(logger.log).toHaveBeenLastCalledWith('Shut down cleanly', 'Shutdown');
    });

    it.each<[string, string, string[]]>([
      ['two slow ones: only the last answer says Connection: close', '/swap', ['keep-alive', 'close']],
      ['a slow one and one already answered behind it: the connection closes once that has gone out', '/health', ['keep-alive', 'keep-alive']],
    ])('with pipelined requests in flight, answers every one before closing: %s', async (_case, second, connections) => {
      const service = await startTestApp(serviceEnvironment(emulator.url, { UPSTREAM_TIMEOUT_MS: '10000' }));
      emulator.latencyMs = 1000;
      const received = tokenRequests(emulator).length;
      const swapRequest = () => rawFormPost('/swap', `code=${emulator.mintCode({ redirectUri: MOBILE_CALLBACK })}`);
      const secondRequest = second === '/swap' ? swapRequest() : `GET ${second} HTTP/1.1\r\nHost: x\r\n\r\n`;
      const socket = rawConnection(service.url);
      socket.write(swapRequest() + secondRequest);
      const answered = receivedUntilClose(socket);
      await upstreamReceived(received + 1);
      const logger = shutdownLogger();
      await drainAndClose(service.app, { shutdownDelayMs: 0, shutdownGraceMs: 8_000 }, logger);
      const answers = answersIn(await answered);
      expect(answers.map((answer) => answer.statusLine)).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK']);
      expect(answers.map((answer) => answer.connection)).toEqual(connections);
      // Held open after its last answer, the connection would have been cut at the deadline.
      expect(logger.log).toHaveBeenLastCalledWith('Shut down cleanly', 'Shutdown');
    });

    it('cuts requests still running when the grace period ends', async () => {
      const service = await startTestApp(serviceEnvironment(emulator.url, { UPSTREAM_TIMEOUT_MS: '10000' }));
      const sealed = (await swap(service)).body.refresh_token as string;
      emulator.injectFault({ kind: 'hang' });
      const received = tokenRequests(emulator).length;
      const stuck = request(service.url).post('/refresh').type('form').send({ refresh_token: sealed }).then(
        () => 'answered',
        () => 'cut',
      );
      await upstreamReceived(received + 1);
      const logger = shutdownLogger();
      const started = Date.now();
      // The grace counts from the signal, the delay included: cut at 2 s, not 3.5.
      await drainAndClose(service.app, { shutdownDelayMs: 1500, shutdownGraceMs: 2000 }, logger);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(await stuck).toBe('cut');
      expect(logger.warn).toHaveBeenCalledWith('Grace period over: cutting 1 connection(s) still serving a request', 'Shutdown');
      expect(logger.log).toHaveBeenLastCalledWith('Shut down after cutting 1 connection(s) mid-request', 'Shutdown');
    });
  });

  describe('metrics', () => {
    let service: TestApp;
    beforeAll(async () => {
      service = await startTestApp(serviceEnvironment(emulator.url));
    });
    afterAll(() => service.close());

    it('counts requests by route template and status, upstream outcomes and token opens', async () => {
      expect((await swap(service)).status).toBe(200);
      expect((await request(service.url).post('/refresh').type('form').send({ refresh_token: 'not-sealed' })).status).toBe(400);
      const dropped = new Sealer('refresh-token', TEST_CLIENT.clientId, 'a-secret-dropped-from-encryption-secret-previous').seal('AQD-token');
      expect((await request(service.url).post('/refresh').type('form').send({ refresh_token: dropped })).status).toBe(400);
      emulator.injectFault({ kind: 'status', status: 500 });
      expect((await swap(service)).status).toBe(502);
      await request(service.url).get('/no/such/path?code=secret-code');
      // Node parses dozens of methods: each must not become a series of its own.
      await request(service.url).put('/no/such/path');
      await request(service.url).delete('/no/such/path');

      const scrape = await request(service.url).get('/metrics');
      expect(scrape.status).toBe(200);
      expect(scrape.headers['content-type']).toMatch(/^text\/plain;.*version=0\.0\.4/);
      const text = scrape.text;
      expect(text).toMatch(/http_requests_total\{method="POST",route="\/swap",status="200"\} 1$/m);
      expect(text).toMatch(/http_requests_total\{method="POST",route="\/refresh",status="400"\} 2$/m);
      expect(text).toMatch(/http_requests_total\{method="GET",route="unmatched",status="404"\} 1$/m);
      expect(text).toMatch(/http_requests_total\{method="other",route="unmatched",status="404"\} 2$/m);
      expect(text).toMatch(/http_request_duration_seconds_bucket\{le="[\d.]+",method="POST",route="\/swap",status="200"\}/);
      expect(text).toMatch(/spotify_request_duration_seconds_count\{operation="exchange_code",outcome="ok"\} 1$/m);
      expect(text).toMatch(/spotify_request_duration_seconds_count\{operation="exchange_code",outcome="upstream_error"\} 1$/m);
      expect(text).toMatch(/refresh_token_opens_total\{key="failed"\} 1$/m);
      // Same answer to the caller; to the operator, a sign a secret was dropped while in use.
      expect(text).toMatch(/refresh_token_opens_total\{key="unknown_key"\} 1$/m);
      expect(text).toMatch(/process_cpu_user_seconds_total \d/);
      expect(text).not.toContain('secret-code');
      expect(text).not.toContain('/no/such/path');
    });

    it('shows calls queued for a full pool of sockets to Spotify', async () => {
      const full = await startTestApp(serviceEnvironment(emulator.url, { UPSTREAM_MAX_SOCKETS: '1', UPSTREAM_TIMEOUT_MS: '10000' }));
      try {
        emulator.latencyMs = 1500;
        const received = tokenRequests(emulator).length;
        const calls = [1, 2, 3].map(() => swap(full));
        await until('the first call to reach the emulator', () => tokenRequests(emulator).length > received);
        await until('the other two to queue for its socket', async () => (await counterValues(full.url, 'spotify_pool_requests')).queued === 2);
        expect(await counterValues(full.url, 'spotify_pool_requests')).toEqual({ running: 1, queued: 2 });
        expect((await request(full.url).get('/metrics')).text).toMatch(/^spotify_pool_connections 1$/m);
        expect((await Promise.all(calls)).map((response) => response.status)).toEqual([200, 200, 200]);
        expect(await counterValues(full.url, 'spotify_pool_requests')).toEqual({ running: 0, queued: 0 });
      } finally {
        await full.close();
      }
    });

    it('counts a Spotify error code outside the known set as other: an odd upstream cannot add series', async () => {
      const before = await counterValues(service.url, 'spotify_oauth_errors_total');
      const body = JSON.stringify({ error: 'made_up_error', error_description: 'Made up' });
      emulator.injectFault({ kind: 'status', status: 400, body, contentType: 'application/json' });
      expect((await swap(service)).status).toBe(400);
      expect(counterGains(before, await counterValues(service.url, 'spotify_oauth_errors_total'))).toEqual({ other: 1 });
    });

    it('labels upstream rate limits and timeouts, and opens under a previous key', async () => {
      const OLD = 'metrics-old-encryption-secret-0123456789';
      const before = await startTestApp(serviceEnvironment(emulator.url, { ENCRYPTION_SECRET: OLD }));
      const oldToken = (await swap(before)).body.refresh_token as string;
      await before.close();
      const rotated = await startTestApp(
        // Short enough to wait out the hang, long enough for the calls that must succeed on a busy machine.
        serviceEnvironment(emulator.url, { ENCRYPTION_SECRET_PREVIOUS: OLD, UPSTREAM_TIMEOUT_MS: '2000' }),
      );
      try {
        expect((await request(rotated.url).post('/refresh').type('form').send({ refresh_token: oldToken })).status).toBe(200);
        emulator.injectFault({ kind: 'rate-limit', retryAfterSeconds: 3 });
        expect((await request(rotated.url).post('/refresh').type('form').send({ refresh_token: oldToken })).status).toBe(429);
        emulator.injectFault({ kind: 'hang' });
        expect((await request(rotated.url).post('/refresh').type('form').send({ refresh_token: oldToken })).status).toBe(504);
        const text = (await request(rotated.url).get('/metrics')).text;
        expect(text).toMatch(/refresh_token_opens_total\{key="previous"\} 3$/m);
        // Which secret seals here and which still opens, by the key ids sealed tokens carry.
        expect(text).toMatch(new RegExp(`^encryption_key_info\\{key_id="${keyIdOf(TEST_SECRET)}",role="current"\\} 1$`, 'm'));
        expect(text).toMatch(new RegExp(`^encryption_key_info\\{key_id="${keyIdOf(OLD)}",role="previous"\\} 1$`, 'm'));
        expect(text).toMatch(/spotify_request_duration_seconds_count\{operation="refresh_token",outcome="rate_limited"\} 1$/m);
        expect(text).toMatch(/spotify_request_duration_seconds_count\{operation="refresh_token",outcome="timeout"\} 1$/m);
      } finally {
        await rotated.close();
      }
    });
  });

  describe('metrics behind METRICS_TOKEN', () => {
    const TOKEN = 'scrape-token-0123456789';
    let guarded: TestApp;
    beforeAll(async () => {
      guarded = await startTestApp(serviceEnvironment(emulator.url, { METRICS_TOKEN: TOKEN }));
    });
    afterAll(() => guarded.close());

    it.each([`Bearer ${TOKEN}`, `bearer ${TOKEN}`, `Bearer  ${TOKEN}`])('answers a scrape that brings the token as a bearer token: %s', async (authorization) => {
      const scrape = await request(guarded.url).get('/metrics').set('Authorization', authorization);
      expect(scrape.status).toBe(200);
      expect(scrape.text).toMatch(/^# TYPE http_requests_total counter$/m);
    });

    it.each([
      ['no Authorization', undefined],
      ['another token', 'Bearer scrape-token-0123456780'],
      ['a prefix of the token', 'Bearer scrape-token-01234567'],
      ['one character of it', 'Bearer s'],
      ['the token as Basic credentials', `Basic ${TOKEN}`],
      ['the token alone', TOKEN],
      ['the token with more after it', `Bearer ${TOKEN} ${TOKEN}`],
    ])('refuses %s with 401 invalid_token and no counters', async (_case, authorization) => {
      const call = request(guarded.url).get('/metrics');
      const refused = await (authorization === undefined ? call : call.set('Authorization', authorization));
      expect(refused.status).toBe(401);
      expect(refused.body).toEqual({ error: 'invalid_token', error_description: 'METRICS_TOKEN is set on this server: send Authorization: Bearer <METRICS_TOKEN>' });
      expect(refused.headers['www-authenticate']).toBe('Bearer realm="metrics"');
      expect(refused.text).not.toMatch(/# TYPE/);
    });
  });

  describe('request ids and access logs', () => {
    it('echoes a sane X-Request-Id, replaces a bad one, and logs one access line per request', async () => {
      const logs = new LogCapture();
      const service = await startTestApp(serviceEnvironment(emulator.url, { LOG_LEVEL: 'info' }), { logDestination: logs });
      try {
        const echoed = await request(service.url).get('/health').set('X-Request-Id', 'abc-123.trace');
        expect(echoed.headers['x-request-id']).toBe('abc-123.trace');
        const replaced = await request(service.url).get('/health').set('X-Request-Id', 'x'.repeat(200));
        expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
        await request(service.url).get('/health/ready');
        await request(service.url).get('/metrics');
        for (const forged of ['a b\tc', 'a b', 'a"b', 'a,b']) {
          expect((await request(service.url).get('/health').set('X-Request-Id', forged)).headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
        }

        const swapped = await swap(service);
        const id = swapped.headers['x-request-id'];
        const malformed = await request(service.url).post('/swap').type('json').send('{"code":');
        const linesOf = (response: request.Response) => logs.accessEntries.filter((entry) => entry.req?.id === response.headers['x-request-id']);
        // Written when the response finishes, which the client may see first.
        await until('both access lines', () => linesOf(swapped).length > 0 && linesOf(malformed).length > 0);

        const access = logs.accessEntries;
        expect(linesOf(swapped)).toHaveLength(1);
        expect(linesOf(malformed)).toHaveLength(1);
        const swapLine = access.find((entry) => entry.req?.id === id);
        expect(swapLine).toMatchObject({
          level: 30,
          req: { method: 'POST', url: '/swap', ip: '127.0.0.1' },
          route: '/swap',
          res: { statusCode: 200 },
        });
        expect(typeof swapLine?.responseTime).toBe('number');
        expect(swapLine).not.toHaveProperty('error');
        // An error answer's line names its OAuth code: a status alone does not tell causes apart.
        expect(linesOf(malformed)[0]).toMatchObject({ req: { url: '/swap' }, res: { statusCode: 400 }, error: 'invalid_request' });
        // Probes and scrapes do not flood the access log.
        expect(access.filter((entry) => ['/health', '/health/ready', '/metrics'].includes(entry.req?.url))).toEqual([]);
      } finally {
        await service.close();
      }
    });

    it('logs an upstream fault once, as an error with its cause and the request id, next to an info access line', async () => {
      const logs = new LogCapture();
      const service = await startTestApp(serviceEnvironment(emulator.url, { LOG_LEVEL: 'info' }), { logDestination: logs });
      try {
        const sealed = (await swap(service)).body.refresh_token as string;
        emulator.injectFault({ kind: 'status', status: 503, body: '' });
        const failed = await request(service.url).post('/refresh').type('form').send({ refresh_token: sealed });
        expect(failed.status).toBe(502);
        await until('the access line', () => logs.accessEntries.some((entry) => entry.req?.id === failed.headers['x-request-id']));

        const errors = logs.entries.filter((entry) => entry.level === 50);
        expect(errors).toHaveLength(1);
        // Logged in the request's context: the line carries its id, as the access line does.
        expect(errors[0]).toMatchObject({ error: 'upstream_error', status: 502, detail: 'status 503', req: { id: failed.headers['x-request-id'] } });
        const access = logs.accessEntries.find((entry) => entry.req?.id === failed.headers['x-request-id']);
        expect(access).toMatchObject({ level: 30, res: { statusCode: 502 }, route: '/refresh', error: 'upstream_error' });
        expect(access?.err).toBeUndefined();
      } finally {
        await service.close();
      }
    });

    it('names the client behind a trusted proxy in the access line, as the rate limit does', async () => {
      const logs = new LogCapture();
      const service = await startTestApp(serviceEnvironment(emulator.url, { LOG_LEVEL: 'info', TRUST_PROXY: 'loopback' }), { logDestination: logs });
      try {
        const answered = await request(service.url).post('/refresh').set('X-Forwarded-For', '203.0.113.9').type('form').send({ refresh_token: 'x' });
        const lineOf = () => logs.accessEntries.find((entry) => entry.req?.id === answered.headers['x-request-id']);
        await until('the access line', () => lineOf() !== undefined);
        expect(lineOf()?.req).toMatchObject({ ip: '203.0.113.9' });
      } finally {
        await service.close();
      }
    });

    it('writes no access lines with ACCESS_LOG=off', async () => {
      const logs = new LogCapture();
      const service = await startTestApp(serviceEnvironment(emulator.url, { LOG_LEVEL: 'info', ACCESS_LOG: 'off' }), {
        logDestination: logs,
      });
      try {
        expect((await swap(service)).status).toBe(200);
        expect(logs.accessEntries).toEqual([]);
      } finally {
        await service.close();
      }
    });
  });

  describe('rate limiting', () => {
    it('answers 429 slow_down with Retry-After past RATE_LIMIT_PER_MINUTE, one budget across token routes', async () => {
      const service = await startTestApp(serviceEnvironment(emulator.url, { RATE_LIMIT_PER_MINUTE: '3' }));
      try {
        expect((await swap(service)).status).toBe(200);
        expect((await request(service.url).post('/refresh').type('form').send({ refresh_token: 'x' })).status).toBe(400);
        expect((await request(service.url).post('/api/token').type('form').send({ code: 'x' })).status).toBe(400);
        const limited = await request(service.url).post('/refresh').type('form').send({ refresh_token: 'x' });
        expect(limited.status).toBe(429);
        expect(limited.body).toEqual({ error: 'slow_down', error_description: 'Too many requests from this client; retry later' });
        expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
        // Operations routes are never limited.
        expect((await request(service.url).get('/health')).status).toBe(200);
      } finally {
        await service.close();
      }
    });

    it.each([
      ['without TRUST_PROXY, X-Forwarded-For is ignored: one budget', undefined, 429],
      ['with TRUST_PROXY=loopback, each forwarded client has its own budget', 'loopback', 400],
    ])('%s', async (_name, trustProxy, expected) => {
      const env = serviceEnvironment(emulator.url, { RATE_LIMIT_PER_MINUTE: '1', ...(trustProxy ? { TRUST_PROXY: trustProxy } : {}) });
      const service = await startTestApp(env);
      try {
        const from = (ip: string) =>
          request(service.url).post('/refresh').set('X-Forwarded-For', ip).type('form').send({ refresh_token: 'x' });
        expect((await from('203.0.113.1')).status).toBe(400);
        expect((await from('203.0.113.2')).status).toBe(expected);
      } finally {
        await service.close();
      }
    });

    it('lets the process end promptly when the store shuts down while Redis is unreachable', () => {
      // In a process of its own: the question is whether the process can end, and Jest's own
      // timers would blur any count of pending ones here.
      const script = `
        const { RateLimitStore } = require('./src/rate-limit/rate-limit.store');
        const { MetricsService } = require('./src/metrics/metrics.service');
        // Port 1 refuses at once: within 200 ms the client waits to reconnect, its socket gone.
        const store = new RateLimitStore({ perMinute: 60, redisUrl: 'redis://127.0.0.1:1', redisKeyPrefix: 'test' }, new MetricsService());
        setTimeout(() => {
          const shutDownAt = Date.now();
          process.on('exit', () => process.stdout.write('\\nexited after ms: ' + (Date.now() - shutDownAt)));
          store.onApplicationShutdown();
        }, 200);
      `;
      const output = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
        cwd: join(__dirname, '..'),
        encoding: 'utf8',
        timeout: 30_000,
      });
      // ioredis's default disconnectTimeout would hold it 2000 ms (ioredis#1247); the store sets 100.
      expect(Number(/exited after ms: (\d+)$/.exec(output)?.[1])).toBeLessThan(1000);
    });

    it('keeps serving and still limits locally when Redis is unreachable', async () => {
      const service = await startTestApp(serviceEnvironment(emulator.url, { RATE_LIMIT_PER_MINUTE: '2', REDIS_URL: 'redis://127.0.0.1:1' }));
      try {
        expect((await swap(service)).status).toBe(200);
        expect((await swap(service)).status).toBe(200);
        expect((await swap(service)).status).toBe(429);
        expect((await request(service.url).get('/metrics')).text).toMatch(/rate_limit_store_errors_total 3$/m);
      } finally {
        await service.close();
      }
    });

    it('logs when Redis goes away and again when it answers, once each', async () => {
      const logs = new LogCapture();
      let redis = await startFakeRedis('count');
      const port = Number(new URL(redis.url).port);
      const service = await startTestApp(serviceEnvironment(emulator.url, { LOG_LEVEL: 'info', RATE_LIMIT_PER_MINUTE: '1000', REDIS_URL: redis.url }), {
        logDestination: logs,
      });
      const storeLines = () => logs.entries.filter((entry) => String(entry.msg).startsWith('Rate-limit store'));
      const countedInRedis = async () => {
        const before = redis.evals();
        return (await swap(service)).status === 200 && redis.evals() > before;
      };
      try {
        await until('a check counted in Redis', countedInRedis);
        await redis.close();
        await until('the warning', async () => (await swap(service)).status === 200 && storeLines().length > 0);
        expect((await swap(service)).status).toBe(200);
        redis = await startFakeRedis('count', port);
        await until('a check counted in Redis again', countedInRedis);
        expect((await swap(service)).status).toBe(200);
        expect(storeLines()).toEqual([
          expect.objectContaining({ level: 40, msg: expect.stringContaining('unreachable, counting in this instance only') }),
          expect.objectContaining({ level: 30, msg: 'Rate-limit store (Redis) answers again: counting across instances' }),
        ]);
      } finally {
        await service.close();
        await redis.close();
      }
    });

    it('stops asking a Redis that hangs for a while, instead of making every request wait for it', async () => {
      const redis = await startFakeRedis('hang');
      const service = await startTestApp(serviceEnvironment(emulator.url, { RATE_LIMIT_PER_MINUTE: '1000', REDIS_URL: redis.url }));
      let checks = 0;
      const swapped = async () => {
        checks += 1;
        return (await swap(service)).status === 200;
      };
      try {
        // Until the client has read Redis' ready answer a check fails at once, costing no wait, so
        // the next one asks again; the first that reaches Redis waits its 500 ms command timeout.
        await until('a check that asked Redis', async () => (await swapped()) && redis.evals() > 0);
        for (let more = 0; more < 3; more += 1) expect(await swapped()).toBe(true);
        // After that slow failure Redis rests: none of the later checks asked it.
        expect(redis.evals()).toBe(1);
        expect((await request(service.url).get('/metrics')).text).toMatch(new RegExp(`^rate_limit_store_errors_total ${checks}$`, 'm'));
      } finally {
        await service.close();
        await redis.close();
      }
    });
  });

  describe('CORS on the token routes', () => {
    let service: TestApp;
    beforeAll(async () => {
      service = await startTestApp(
        serviceEnvironment(emulator.url, { CORS_ORIGINS: `${APP_ORIGIN},https://other.example.com`, FINAL_URI: `${APP_ORIGIN}/done` }),
      );
    });
    afterAll(() => service.close());

    it('allows an allowlisted origin, without credentials', async () => {
      const response = await request(service.url).post('/refresh').set('Origin', APP_ORIGIN).type('form').send({ refresh_token: 'x' });
      expect(response.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
      expect(response.headers['access-control-allow-credentials']).toBeUndefined();
      // A page reads these only when exposed: how long to wait after a 429, and the id to report.
      expect(response.headers['access-control-expose-headers']).toBe('Retry-After,X-Request-Id');
      expect(response.headers.vary).toMatch(/Origin/);
    });

    it.each<[string, (call: request.Test) => request.Test, number]>([
      ['malformed JSON', (call) => call.type('json').send('{"refresh_token":'), 400],
      ['a body over the limit', (call) => call.type('form').send({ refresh_token: 'x'.repeat(20_000) }), 413],
    ])('lets an allowlisted page read the error for %s', async (_case, send, status) => {
      const response = await send(request(service.url).post('/refresh').set('Origin', APP_ORIGIN));
      expect(response.status).toBe(status);
      expect(response.body.error).toBe('invalid_request');
      expect(response.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
    });

    it('answers a preflight for an allowlisted origin', async () => {
      const response = await request(service.url)
        .options('/swap')
        .set('Origin', APP_ORIGIN)
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'content-type');
      expect(response.status).toBe(204);
      expect(response.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
      expect(response.headers['access-control-allow-methods']).toBe('POST');
      expect(response.headers['access-control-allow-headers']).toMatch(/Content-Type/i);
    });

    it.each(['https://evil.example.com', 'null'])('gives %s no CORS headers', async (origin) => {
      const simple = await request(service.url).post('/refresh').set('Origin', origin).type('form').send({ refresh_token: 'x' });
      expect(simple.headers['access-control-allow-origin']).toBeUndefined();
      const preflight = await request(service.url).options('/refresh').set('Origin', origin).set('Access-Control-Request-Method', 'POST');
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    });

    it.each([
      ['/health', 200],
      ['/login', 302],
      ['/callback?code=x&state=y', 302],
    ])('never answers CORS outside the token routes: %s', async (path, status) => {
      const response = await request(service.url).get(path).set('Origin', APP_ORIGIN);
      expect(response.status).toBe(status);
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('security headers', () => {
    it('sends helmet headers and no X-Powered-By', async () => {
      const service = await startTestApp(serviceEnvironment(emulator.url));
      try {
        const response = await request(service.url).get('/health');
        expect(response.headers['x-powered-by']).toBeUndefined();
        expect(response.headers['x-content-type-options']).toBe('nosniff');
        expect(response.headers['content-security-policy']).toContain("default-src 'none'");
        expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
      } finally {
        await service.close();
      }
    });
  });

  describe('slow clients', () => {
    it('answers a body still arriving 15 s after the request began with 408 in the OAuth shape, and closes', async () => {
      const service = await startTestApp(serviceEnvironment(emulator.url));
      try {
        const socket = rawConnection(service.url);
        const sentAt = Date.now();
        // Headers complete, the body never: a client dribbling its request holds a socket until the deadline.
        socket.write('POST /refresh HTTP/1.1\r\nHost: swap.example.com\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nrefresh_token=');
        const answer = await receivedUntilClose(socket);
        const waited = Date.now() - sentAt;
        expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
        expect(answer).toMatch(/\r\nCache-Control: no-store\r\n/);
        expect(answer.endsWith('{"error":"invalid_request","error_description":"The request did not arrive within 15 s"}')).toBe(true);
        // Checked every second: Node's own 30 s check would let the 15 s deadline run to 45 s.
        expect(waited).toBeGreaterThanOrEqual(14_500);
        expect(waited).toBeLessThan(20_000);
      } finally {
        await service.close();
      }
    }, 30_000);
  });

  describe('keep-alive behind a load balancer', () => {
    it('keeps idle client sockets longer than common balancer idle timeouts', async () => {
      const service = await startTestApp(serviceEnvironment(emulator.url, { KEEP_ALIVE_TIMEOUT_MS: '75000' }));
      try {
        const server = service.app.getHttpServer();
        expect(server.keepAliveTimeout).toBe(75000);
        const agent = new http.Agent({ keepAlive: true });
        const keepAlive = await new Promise<string | undefined>((resolve, reject) =>
          http.get(`${service.url}/health`, { agent }, (response) => {
            response.resume();
            resolve(response.headers['keep-alive'] as string | undefined);
          }).on('error', reject),
        );
        agent.destroy();
        expect(keepAlive).toBe('timeout=75');
      } finally {
        await service.close();
      }
    });
  });

  it('readiness is per instance', async () => {
    const one = await startTestApp(serviceEnvironment(emulator.url));
    const two = await startTestApp(serviceEnvironment(emulator.url));
    try {
      one.app.get(ReadinessService).beginShutdown();
      expect((await request(one.url).get('/health/ready')).status).toBe(503);
      expect((await request(two.url).get('/health/ready')).status).toBe(200);
    } finally {
      await one.close();
      await two.close();
    }
  });
});
