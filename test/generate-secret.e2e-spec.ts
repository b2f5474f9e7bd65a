import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { validateEnvironment } from '../src/config/environment';

const run = promisify(execFile);

/** Exactly what the README tells operators to run; needs no build. */
async function generateSecret(): Promise<string> {
  const { stdout } = await run('npm', ['run', '-s', 'generate-secret'], { cwd: join(__dirname, '..') });
  return stdout;
}

describe('npm run -s generate-secret', () => {
  it('prints one fresh, strong ENCRYPTION_SECRET and nothing else', async () => {
    const [first, second] = await Promise.all([generateSecret(), generateSecret()]);
    expect(first).toMatch(/^[A-Za-z0-9_-]{43,}\n$/);
    expect(second).toMatch(/^[A-Za-z0-9_-]{43,}\n$/);
    expect(first).not.toBe(second);
    const production = { NODE_ENV: 'production', CLIENT_ID: 'id', CLIENT_SECRET: 's', CALLBACK_URL: 'myapp://callback' };
    expect(() => validateEnvironment({ ...production, ENCRYPTION_SECRET: first.trim() })).not.toThrow();
  }, 30_000);
});
