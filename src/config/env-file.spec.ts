import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envFileProblems, loadEnvFile } from './env-file';

describe('loadEnvFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'env-file-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is no problem when missing', () => {
    loadEnvFile(join(dir, '.env'));
    expect(envFileProblems()).toEqual([]);
  });

  it('sets what the environment does not, and leaves real variables as they are', () => {
    // In a process of its own: Node writes the file's values to the real environment, which
    // Jest hands each spec only a copy of.
    const path = join(dir, '.env');
    writeFileSync(path, 'ONLY_IN_FILE=from-file\nSET_IN_BOTH=from-file\n');
    const script = `
      require('./src/config/env-file').loadEnvFile(${JSON.stringify(path)});
      process.stdout.write(JSON.stringify([process.env.ONLY_IN_FILE, process.env.SET_IN_BOTH]));
    `;
    const output = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
      cwd: join(__dirname, '..', '..'),
      env: { PATH: process.env.PATH, SET_IN_BOTH: 'real' },
      encoding: 'utf8',
    });
    expect(JSON.parse(output)).toEqual(['from-file', 'real']);
  }, 20_000);

  it('a .env that is a directory becomes a configuration problem, not a stack trace, and the next load forgets it', () => {
    const path = join(dir, '.env');
    mkdirSync(path);
    expect(() => loadEnvFile(path)).not.toThrow();
    expect(envFileProblems()).toEqual([`${path} exists but cannot be read (it is a directory): make it a readable file of NAME=value lines, or remove it`]);
    loadEnvFile(join(dir, 'missing.env'));
    expect(envFileProblems()).toEqual([]);
  });
});
