import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SpotifyEmulator } from '../src/emulator/spotify-emulator';
import { startEmulator } from './support/emulator';
import { RUNTIME_CONTEXT_FILES, RUNTIME_INSTALL_ARGS } from './support/image-layout';
import { listeningUrl, productionEnvironment, swapFreshCode, waitUntilReady } from './support/production-service';
import { assertBuilt, spawnService } from './support/service-process';
import { TEST_CLIENT, TEST_SECRET } from './support/test-app';

const ROOT = join(__dirname, '..');
const run = promisify(execFile);

/**
 * The container image's runtime stage rebuilt without an engine (none can pull base images
 * here): production dependencies from the lock file, the compiled dist/, started as its CMD.
 * Proves the production dependency set is complete.
 */
describe('The image runtime layout (npm ci --omit=dev + dist/)', () => {
  let dir: string;
  let emulator: SpotifyEmulator;

  beforeAll(async () => {
    assertBuilt();
    dir = mkdtempSync(join(tmpdir(), 'image-layout-'));
    for (const file of RUNTIME_CONTEXT_FILES) copyFileSync(join(ROOT, file), join(dir, file));
    // The Dockerfile's runtime install, served from npm's cache where it can be: the project's own
    // `npm ci` just filled it, and a slow registry once stretched this past three minutes.
    await run('npm', [...RUNTIME_INSTALL_ARGS, '--prefer-offline'], { cwd: dir });
    cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
    emulator = await startEmulator();
  }, 300_000);

  afterAll(async () => {
    await emulator?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds no dev dependency', () => {
    const { devDependencies } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    const installed = Object.keys(devDependencies).filter((name) => existsSync(join(dir, 'node_modules', name)));
    expect(installed).toEqual([]);
    expect(existsSync(join(dir, 'node_modules', 'jest'))).toBe(false);
    expect(existsSync(join(dir, 'node_modules', 'typescript'))).toBe(false);
  });

  it('starts in production, turns ready, swaps a code, and exits 0 on SIGTERM', async () => {
    const service = spawnService(
      productionEnvironment(emulator.url, { CLIENT_SECRET: TEST_CLIENT.clientSecret, ENCRYPTION_SECRET: TEST_SECRET }),
      dir,
    );
    try {
      const url = await listeningUrl(service, 20_000);
      await waitUntilReady(url);
      expect((await swapFreshCode(url, emulator)).status).toBe(200);
    } finally {
      service.child.kill('SIGTERM');
    }
    expect(await service.exited).toBe(0);
    expect(service.output()).not.toMatch(/Cannot find module|MODULE_NOT_FOUND/);
  }, 60_000);
});
