import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { assertBuilt, ServiceProcess, spawnService, waitForOutput } from './support/service-process';

const SECRET = 'startup-test-encryption-secret-0123456789';

/** The exit code, or a note that the process was still running `ms` after the signal it was sent. */
function exitWithin(service: ServiceProcess, ms: number): Promise<number | string> {
  const stillRunning = new Promise<string>((resolve) => setTimeout(() => resolve(`still running ${ms / 1000} s after SIGTERM`), ms).unref());
  return Promise.race([service.exited, stillRunning]);
}

describe('Starting the compiled service (node dist/main.js)', () => {
  beforeAll(() => {
    assertBuilt();
  });

  it('exits 1 with one message naming every bad variable', async () => {
    const service = spawnService({
      NODE_ENV: 'production',
      CLIENT_ID: 'id',
      CLIENT_SECRET: 'secret',
      CALLBACK_URL: 'myapp://callback',
      ENCRYPTION_SECRET: 'too-short',
      SPOTIFY_ACCOUNTS_URL: 'accounts.spotify.com',
      UPSTREAM_TIMEOUT_MS: 'fast',
    });
    expect(await service.exited).toBe(1);
    const output = service.output();
    expect(output).toContain('Invalid configuration (3 problems)');
    expect(output).toContain('ENCRYPTION_SECRET must be at least 32 characters');
    expect(output).toContain('SPOTIFY_ACCOUNTS_URL must be an absolute http(s) URL');
    expect(output).toContain('UPSTREAM_TIMEOUT_MS must be a whole number');
    expect(output).not.toContain('    at '); // no stack trace
  });

  it('exits 1 with one line when PORT is taken, before inviting anyone to open it', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '0.0.0.0', resolve));
    try {
      const port = (holder.address() as AddressInfo).port;
      const service = spawnService({ PORT: String(port), ENCRYPTION_SECRET: SECRET });
      expect(await service.exited).toBe(1);
      expect(service.output()).toContain(`PORT ${port} is already in use by another program: stop it, or set PORT to a free port`);
      expect(service.output()).not.toContain('OFFLINE DEMO');
      expect(service.output()).not.toContain('    at ');
    } finally {
      holder.close();
    }
  });

  it('refuses to start in production without Spotify credentials or a secret', async () => {
    const service = spawnService({ NODE_ENV: 'production' });
    expect(await service.exited).toBe(1);
    expect(service.output()).toContain('CLIENT_ID and CLIENT_SECRET are required when NODE_ENV=production');
    expect(service.output()).toContain('ENCRYPTION_SECRET is required when NODE_ENV=production');
  });

  it('starts offline against the emulator without credentials, warns loudly, and exits 0 on SIGTERM', async () => {
    const service = spawnService({ PORT: '0', ENCRYPTION_SECRET: SECRET, CALLBACK_URL: 'myapp://callback' });
    try {
      await waitForOutput(service, /Listening on port/);
      expect(service.output()).toMatch(/OFFLINE MODE: .*local Spotify Accounts emulator at http:\/\/127\.0\.0\.1:\d+ \(its Spotify app: offline-demo-client\), NOT to Spotify/);
      expect(service.output()).not.toContain('ENCRYPTION_SECRET is not set');
    } finally {
      service.child.kill('SIGTERM');
    }
    expect(await service.exited).toBe(0);
  });

  it('handles a SIGTERM that comes while it is still starting: exit 0, not death by signal (as PID 1 it would be ignored)', async () => {
    const service = spawnService({ PORT: '0', ENCRYPTION_SECRET: SECRET });
    // Well before it listens: loading Nest alone takes longer. A start can finish without the
    // event loop turning, so the signal may be handled by the drain, once listening: 0 either way.
    await new Promise((resolve) => setTimeout(resolve, 300));
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
  });

  it('exits 0 on SIGTERM when nobody reads its stdout any more (a log collector gone: EPIPE)', async () => {
    // pino's asynchronous writer retried its exit flush forever on a broken pipe, in about one
    // stop in ten: several services, so that a return of it would show.
    const stops = Array.from({ length: 4 }, async () => {
      const service = spawnService({ PORT: '0', ENCRYPTION_SECRET: SECRET, SHUTDOWN_DELAY_MS: '0', LOG_LEVEL: 'debug' });
      await waitForOutput(service, /Listening on port/);
      service.child.stdout?.destroy();
      service.child.kill('SIGTERM');
      return exitWithin(service, 5_000);
    });
    expect(await Promise.all(stops)).toEqual([0, 0, 0, 0]);
  });

  it('keeps serving, and exits 0 on SIGTERM, while its stdout reader has stopped reading (a stalled log collector)', async () => {
    const service = spawnService({ PORT: '0', ENCRYPTION_SECRET: SECRET, SHUTDOWN_DELAY_MS: '0', LOG_LEVEL: 'debug' });
    const [, port] = await waitForOutput(service, /Listening on port (\d+)/);
    service.child.stdout?.pause();
    // Far more access lines than a pipe holds (64 KiB): written synchronously, the service froze here.
    const answered = async (path: string) => {
      const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(3_000) }).catch(() => undefined);
      return response?.status;
    };
    const statuses = new Set<number | undefined>();
    for (let sent = 0; sent < 500; sent++) statuses.add(await answered(`/no-such-page-${sent}`));
    expect([...statuses]).toEqual([404]);
    expect(await answered('/health')).toBe(200);

    service.child.kill('SIGTERM');
    expect(await exitWithin(service, 5_000)).toBe(0);
  }, 30_000);

  it('generates a throwaway ENCRYPTION_SECRET outside production, saying tokens will not survive a restart', async () => {
    const service = spawnService({ PORT: '0' });
    try {
      await waitForOutput(service, /Listening on port/);
      expect(service.output()).toContain('Refresh tokens issued now will not survive a restart');
    } finally {
      service.child.kill('SIGINT');
    }
    expect(await service.exited).toBe(0);
  });

  it('warns once and runs without New Relic when the key is set but the agent is not installed', async () => {
    const service = spawnService({ PORT: '0', ENCRYPTION_SECRET: SECRET, NEW_RELIC_LICENSE_KEY: 'nr-license-key-value' });
    try {
      await waitForOutput(service, /Listening on port/);
      const warnings = service.output().match(/newrelic package is not installed/g) ?? [];
      expect(warnings).toHaveLength(1);
      expect(service.output()).not.toContain('nr-license-key-value');
    } finally {
      service.child.kill('SIGTERM');
    }
    expect(await service.exited).toBe(0);
  });
});
