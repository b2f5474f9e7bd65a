import { Test } from '@nestjs/testing';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpotifyEmulator } from '../src/emulator/spotify-emulator';
import { startEmulator } from './support/emulator';
import { listeningUrl, productionEnvironment, swapFreshCode, waitUntilReady } from './support/production-service';
import { assertBuilt, spawnService } from './support/service-process';
import { AppModule } from '../src/app.module';
import { serviceEnvironment, TEST_CLIENT, TEST_SECRET } from './support/test-app';
import { validateEnvironment } from '../src/config/environment';

const LICENSE_KEY = 'license-key-held-in-a-file-0123456789';

describe('Secrets from files (NAME_FILE)', () => {
  let emulator: SpotifyEmulator;
  let dir: string;
  const secretFile = (name: string, content: string): string => {
    const path = join(dir, name);
    writeFileSync(path, content, { mode: 0o600 });
    return path;
  };

  beforeAll(async () => {
    assertBuilt();
    emulator = await startEmulator();
  });
  afterAll(() => emulator.stop());
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'secret-files-e2e-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('starts in production with its secrets read from files, uses them, and never logs them', async () => {
    const service = spawnService(
      productionEnvironment(emulator.url, {
        // Kubernetes and Docker secret files usually end with a newline: it must not become part of the value.
        CLIENT_SECRET_FILE: secretFile('client-secret', `${TEST_CLIENT.clientSecret}\n`),
        ENCRYPTION_SECRET_FILE: secretFile('encryption-secret', `${TEST_SECRET}\n`),
        NEW_RELIC_LICENSE_KEY_FILE: secretFile('new-relic-license-key', LICENSE_KEY),
      }),
    );
    try {
      const url = await listeningUrl(service);
      await waitUntilReady(url);
      const swap = await swapFreshCode(url, emulator);
      expect(swap.status).toBe(200);
      expect(await swap.json()).toMatchObject({ access_token: expect.any(String), refresh_token: expect.any(String) });
      // The key reached New Relic's preload (the agent is not installed here).
      expect(service.output()).toContain('NEW_RELIC_LICENSE_KEY is set but the newrelic package is not installed');
    } finally {
      service.child.kill('SIGTERM');
    }
    expect(await service.exited).toBe(0);
    for (const secret of [TEST_CLIENT.clientSecret, TEST_SECRET, LICENSE_KEY]) {
      expect(service.output()).not.toContain(secret);
    }
  }, 30_000);

  it('exits 1 naming the path of a missing secret file, and the variables set twice', async () => {
    const missing = join(dir, 'not-mounted', 'encryption-secret');
    const service = spawnService(
      productionEnvironment(emulator.url, {
        CLIENT_SECRET: 'client-secret-from-the-environment',
        CLIENT_SECRET_FILE: secretFile('client-secret', TEST_CLIENT.clientSecret),
        ENCRYPTION_SECRET_FILE: missing,
      }),
    );
    expect(await service.exited).toBe(1);
    const output = service.output();
    expect(output).toContain('Invalid configuration');
    expect(output).toContain(`ENCRYPTION_SECRET_FILE names ${missing}, which cannot be read (ENOENT)`);
    expect(output).toContain('CLIENT_SECRET and CLIENT_SECRET_FILE are both set');
    expect(output).not.toContain(TEST_CLIENT.clientSecret);
    expect(output).not.toContain('client-secret-from-the-environment');
    expect(output).not.toContain('    at ');
  }, 30_000);

  it('keeps a secret read from a file out of process.env once the app is built', async () => {
    const file = secretFile('client-secret', TEST_CLIENT.clientSecret);
    const { CLIENT_SECRET: inFileInstead, ...withoutSecret } = serviceEnvironment(emulator.url);
    expect(inFileInstead).toBe(TEST_CLIENT.clientSecret);
    const saved = process.env;
    process.env = { ...withoutSecret, CLIENT_SECRET_FILE: file };
    try {
      const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(validateEnvironment(process.env))] }).compile();
      await moduleRef.close();
      expect(process.env.CLIENT_SECRET_FILE).toBe(file);
      expect(process.env.CLIENT_SECRET).toBeUndefined();
    } finally {
      process.env = saved;
    }
  });
});
