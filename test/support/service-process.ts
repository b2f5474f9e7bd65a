import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The compiled service, started as production starts it: `node dist/main.js`. */
export const MAIN_JS = join(__dirname, '..', '..', 'dist', 'main.js');

/** Fails with the fix in the message when the service has not been compiled. */
export function assertBuilt(): void {
  if (!existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: run npm run build first (npm test does)`);
}

export interface ServiceProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  exited: Promise<number | string>;
}

/** Services this test file started that have not exited yet. */
const running = new Set<ChildProcess>();

/**
 * Kills what a failed test left running (after each test file: jest.config.js loads
 * e2e-setup.ts), so one red test cannot keep jest from exiting and turn a failed CI
 * run into a hung one.
 */
export function killRunningServices(): void {
  for (const child of running) child.kill('SIGKILL');
}

/**
 * Starts `node dist/main.js` in `cwd` (the repository, or a copy laid out like the container
 * image) with exactly `env` (plus PATH), capturing stdout and stderr.
 */
export function spawnService(env: Record<string, string>, cwd = join(__dirname, '..', '..')): ServiceProcess {
  const child = spawn(process.execPath, [join(cwd, 'dist', 'main.js')], { env: { PATH: process.env.PATH ?? '', ...env }, cwd, stdio: 'pipe' });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  running.add(child);
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve(code ?? signal ?? -1);
    }),
  );
  return { child, output: () => output, exited };
}

/** Waits until the service's output matches `pattern`, or fails after `timeoutMs`. */
export async function waitForOutput(service: ServiceProcess, pattern: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const match = service.output().match(pattern);
    if (match) return match;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Timed out waiting for ${pattern} in:\n${service.output()}`);
}
