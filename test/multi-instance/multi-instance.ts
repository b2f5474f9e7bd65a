/**
 * Two built instances behind a real nginx (round-robin) sharing ENCRYPTION_SECRET and Redis:
 * the checks of "run it like production" that need real servers. Run by `npm test` after jest.
 * Prints one line per check and exits non-zero on any failure. Without nginx or redis-server
 * it skips (unless REQUIRE_MULTI_INSTANCE=1, as in CI).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpotifyEmulator } from '../../src/emulator/spotify-emulator';
import { MOBILE_CALLBACK } from '../support/emulator';
import { freePort } from '../support/free-port';
import { waitUntilReady } from '../support/production-service';
import { ServiceProcess, spawnService } from '../support/service-process';
import { until } from '../support/until';

const NGINX = '/usr/sbin/nginx';
const REDIS = '/usr/bin/redis-server';
const CLIENT = { clientId: 'multi-instance-client', clientSecret: 'multi-instance-secret' };
const SECRET = 'multi-instance-shared-encryption-secret-0123';
const RATE_LIMIT = 30;
const LOGINS = 20;
const LOAD_WORKERS = 8;

const children: ChildProcess[] = [];
const results: Array<{ name: string; ok: boolean; detail: string }> = [];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Redis or nginx; their readiness is probed, not read from their output. */
function start(command: string, args: string[]): ChildProcess {
  const child = spawn(command, args, { env: { PATH: process.env.PATH }, stdio: 'ignore' });
  children.push(child);
  return child;
}

function exitOf(child: ChildProcess): Promise<number | string> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode ?? child.signalCode ?? -1);
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
}

/** Whether Redis on `port` answers PING: the instances should find it up, not race its start. */
function redisAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    socket.setTimeout(1000, () => socket.destroy());
    socket.once('data', (chunk: Buffer) => {
      resolve(chunk.toString().startsWith('+PONG'));
      socket.destroy();
    });
    socket.once('error', () => resolve(false));
    socket.once('close', () => resolve(false));
  });
}

function record(name: string, ok: boolean, detail: string): void {
  results.push({ name, ok, detail });
  console.log(`${ok ? 'PASS' : 'FAIL'} ${name}: ${detail}`);
}

/** A different client address per call, forwarded through nginx (the instances trust loopback). */
let clientCounter = 0;
function nextClientIp(): string {
  clientCounter += 1;
  return `10.${(clientCounter >> 16) & 255}.${(clientCounter >> 8) & 255}.${clientCounter & 255}`;
}

async function main(): Promise<void> {
  if (!existsSync(NGINX) || !existsSync(REDIS)) {
    const message = `multi-instance checks need ${NGINX} and ${REDIS} (apt-get install nginx-light redis-server)`;
    if (process.env.REQUIRE_MULTI_INSTANCE === '1') throw new Error(message);
    console.log(`SKIP ${message}`);
    return;
  }
  const [portA, portB, portNginx, portRedis] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const base = `http://127.0.0.1:${portNginx}`;
  const dir = mkdtempSync(join(tmpdir(), 'token-swap-multi-'));

  const emulator = new SpotifyEmulator({
    clients: [{ ...CLIENT, redirectUris: [`${base}/callback`, MOBILE_CALLBACK] }],
    autoApprove: true,
  });
  await emulator.start(0);

  try {
    start(REDIS, ['--port', String(portRedis), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
    const config = readFileSync(join(__dirname, 'nginx.conf.template'), 'utf8')
      .replaceAll('{{DIR}}', dir)
      .replaceAll('{{PORT_A}}', String(portA))
      .replaceAll('{{PORT_B}}', String(portB))
      .replaceAll('{{PORT_NGINX}}', String(portNginx));
    writeFileSync(join(dir, 'nginx.conf'), config);
    start(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf')]);
    await until('redis', () => redisAnswers(portRedis), 15_000);

    const instanceEnv = (port: number, overrides: Record<string, string>): Record<string, string> => ({
      NODE_ENV: 'production',
      PORT: String(port),
      CLIENT_ID: CLIENT.clientId,
      CLIENT_SECRET: CLIENT.clientSecret,
      SPOTIFY_ACCOUNTS_URL: emulator.url,
      ENCRYPTION_SECRET: SECRET,
      REDIS_URL: `redis://127.0.0.1:${portRedis}`,
      TRUST_PROXY: 'loopback',
      CALLBACK_URL: MOBILE_CALLBACK,
      FINAL_URI: `${base}/final`,
      REDIRECT_URI: `${base}/callback`,
      RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
      SHUTDOWN_DELAY_MS: '500',
      SHUTDOWN_GRACE_MS: '5000',
      LOG_LEVEL: 'warn',
      ACCESS_LOG: 'off',
      ...overrides,
    });
    const startInstance = async (port: number, overrides: Record<string, string> = {}): Promise<ServiceProcess> => {
      const instance = spawnService(instanceEnv(port, overrides));
      children.push(instance.child);
      await waitUntilReady(`http://127.0.0.1:${port}`, 15_000).catch((error: Error) => {
        throw new Error(`${error.message}; its output:\n${instance.output()}`);
      });
      return instance;
    };
    const instances = { [portA]: await startInstance(portA), [portB]: await startInstance(portB) };
    await until('nginx', () => fetch(`${base}/health`).then((response) => response.ok, () => false), 15_000);

    const call = (path: string, init: RequestInit = {}, ip = nextClientIp(), origin = base) =>
      fetch(`${origin}${path}`, { redirect: 'manual', ...init, headers: { 'X-Forwarded-For': ip, ...(init.headers ?? {}) } });
    const form = (body: Record<string, string>): RequestInit => ({
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(body).toString(),
    });

    // 1. Browser logins whose /login and /callback land on different instances.
    let crossed = 0;
    let succeeded = 0;
    for (let i = 0; i < LOGINS; i++) {
      const ip = nextClientIp();
      const login = await call('/login', {}, ip);
      const cookies = login.headers.getSetCookie().map((cookie) => cookie.split(';')[0]).join('; ');
      const authorize = await fetch(login.headers.get('location') ?? '', { redirect: 'manual' });
      const callbackUrl = new URL(authorize.headers.get('location') ?? '');
      const callback = await call(`${callbackUrl.pathname}${callbackUrl.search}`, { headers: { Cookie: cookies } }, ip);
      const landing = new URL(callback.headers.get('location') ?? 'http://invalid/');
      const tokens = new URLSearchParams(landing.hash.slice(1));
      if (callback.status === 302 && tokens.get('access_token') && !tokens.get('error')) succeeded += 1;
      if (login.headers.get('x-upstream') !== callback.headers.get('x-upstream')) crossed += 1;
    }
    record('browser logins through nginx', succeeded === LOGINS && crossed === LOGINS, `${succeeded}/${LOGINS} succeeded, ${crossed}/${LOGINS} had /login and /callback on different instances`);

    // 2. A token swapped on one instance refreshes on the other.
    const swapped = await call('/swap', form({ code: emulator.mintCode({ redirectUri: MOBILE_CALLBACK }) }));
    const sealed = ((await swapped.json()) as { refresh_token: string }).refresh_token;
    const refreshed = await call('/refresh', form({ refresh_token: sealed }));
    record(
      'swap on one instance, refresh on the other',
      swapped.status === 200 && refreshed.status === 200 && swapped.headers.get('x-upstream') !== refreshed.headers.get('x-upstream'),
      `swap ${swapped.status} via ${swapped.headers.get('x-upstream')}, refresh ${refreshed.status} via ${refreshed.headers.get('x-upstream')}`,
    );

    // 3. One client's limit holds across both instances together (Redis), not per instance.
    const limitedIp = nextClientIp();
    const statuses: number[] = [];
    for (let i = 0; i < RATE_LIMIT + 1; i++) {
      statuses.push((await call('/refresh', form({ refresh_token: 'not-a-sealed-token' }), limitedIp)).status);
    }
    const allowed = statuses.filter((status) => status !== 429).length;
    record('rate limit shared across instances', allowed === RATE_LIMIT && statuses[RATE_LIMIT] === 429, `${allowed} allowed of ${RATE_LIMIT + 1}, then ${statuses[RATE_LIMIT]}`);

    // 4. Another deployment (its own ENCRYPTION_SECRET, say staging) on the same Redis keeps its own
    // budget. Only a call that Redis counted tells (one counted locally, say while the new instance's
    // Redis client still connects, would answer 400 anyway): the store's error counter says which.
    const portOther = await freePort();
    const other = await startInstance(portOther, { ENCRYPTION_SECRET: 'another-deployment-encryption-secret-0123' });
    const otherOrigin = `http://127.0.0.1:${portOther}`;
    const localChecks = async () => Number(/^rate_limit_store_errors_total (\d+)$/m.exec(await (await fetch(`${otherOrigin}/metrics`)).text())?.[1]);
    let otherStatus = 0;
    let countedInRedis = false;
    for (let attempt = 0; attempt < 5 && !countedInRedis; attempt++) {
      const before = await localChecks();
      otherStatus = (await call('/refresh', form({ refresh_token: 'not-a-sealed-token' }), limitedIp, otherOrigin)).status;
      countedInRedis = (await localChecks()) === before;
    }
    other.child.kill('SIGTERM');
    await other.exited;
    record(
      'another deployment on the same Redis counts apart',
      countedInRedis && otherStatus === 400,
      `the limited client's call there answered ${otherStatus}${countedInRedis ? ', counted in Redis' : ', never counted in Redis'}`,
    );

    // 5. Rolling restart under a bounded load of refreshes: no request may fail.
    let running = true;
    let ok = 0;
    const failures: string[] = [];
    const worker = async () => {
      while (running) {
        try {
          const response = await call('/refresh', form({ refresh_token: sealed }));
          const body = await response.text();
          if (response.status === 200) ok += 1;
          else failures.push(`status ${response.status} via ${response.headers.get('x-upstream')}: ${body.slice(0, 120)}`);
        } catch (error) {
          failures.push((error as Error).message);
        }
      }
    };
    const load = Array.from({ length: LOAD_WORKERS }, worker);
    const exits: Array<number | string> = [];
    for (const port of [portA, portB]) {
      await sleep(500);
      instances[port].child.kill('SIGTERM');
      exits.push(await instances[port].exited);
      instances[port] = await startInstance(port);
    }
    await sleep(500);
    running = false;
    await Promise.all(load);
    record(
      'rolling restart under load',
      failures.length === 0 && ok > 0 && exits.every((code) => code === 0),
      `${ok} refreshes succeeded, ${failures.length} failed${failures.length ? ` (${[...new Set(failures)].slice(0, 3).join('; ')})` : ''}, exit codes ${exits.join(', ')}`,
    );
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map(exitOf));
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const watchdog = setTimeout(() => {
  console.error('FAIL multi-instance checks did not finish within 120 s');
  children.forEach((child) => child.kill('SIGKILL'));
  process.exit(1);
}, 120_000);

main()
  .then(() => {
    clearTimeout(watchdog);
    const failed = results.filter((result) => !result.ok).length;
    console.log(`multi-instance: ${results.length - failed} passed, ${failed} failed`);
    process.exit(failed === 0 ? 0 : 1);
  })
  .catch((error: unknown) => {
    clearTimeout(watchdog);
    console.error(`FAIL multi-instance checks: ${(error as Error).stack ?? String(error)}`);
    children.forEach((child) => child.kill('SIGKILL'));
    process.exit(1);
  });
