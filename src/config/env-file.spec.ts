import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envFileProblems, loadEnvFile } from './env-file';

describe('loadEnvFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'env-file-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a missing .env is no problem', () => {
    loadEnvFile(join(dir, '.env'));
    expect(envFileProblems()).toEqual([]);
  });

  it('a .env that is a directory becomes a configuration problem, not a stack trace', () => {
    const path = join(dir, '.env');
    mkdirSync(path);
    expect(() => loadEnvFile(path)).not.toThrow();
    expect(envFileProblems()).toEqual([`${path} exists but cannot be read (it is a directory): make it a readable file of NAME=value lines, or remove it`]);
  });
});
