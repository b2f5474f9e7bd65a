import { ChildProcess, execFileSync, fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { ControlReply, ControlRequest, EmulatorAnswers, EmulatorCommand } from './control';

const started = new Set<ChildProcess>();

const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

/** Every child this run started, so that no exit path (error, SIGINT) leaves one behind. */
export function killChildren(): void {
  for (const child of started) {
    if (alive(child)) child.kill('SIGKILL');
  }
  started.clear();
}

/** SIGTERM first, so a service under `--cpu-prof` writes its profile; SIGKILL after `graceMs`. */
export async function stopChildren(graceMs = 5000): Promise<void> {
  await Promise.all(
    [...started].filter(alive).map(async (child) => {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }),
  );
  started.clear();
}

function track(child: ChildProcess, name: string): ChildProcess {
  started.add(child);
  child.once('exit', () => started.delete(child));
  child.once('error', (error) => process.stderr.write(`${name}: ${error.message}\n`));
  return child;
}

/**
 * How to start node: itself, or under `wrapper` (a command and its options, such as valgrind's),
 * which then starts node with the same arguments.
 */
function nodeCommand(wrapper: string[]): { command: string; prefix: string[] } {
  return wrapper.length === 0 ? { command: process.execPath, prefix: [] } : { command: wrapper[0], prefix: [...wrapper.slice(1), process.execPath] };
}

/** A compiled bench script as a child with an IPC channel; it ends itself when the channel closes. */
export function forkScript(path: string, env: NodeJS.ProcessEnv, name: string, execArgv: string[] = [], wrapper: string[] = []): ChildProcess {
  const { command, prefix } = nodeCommand(wrapper);
  return track(fork(path, [], { env, execPath: command, execArgv: [...prefix, ...execArgv], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }), name);
}

/** A program as production runs it, output kept for the error report. */
export function spawnProgram(
  args: string[],
  env: NodeJS.ProcessEnv,
  name: string,
  wrapper: string[],
): { child: ChildProcess; output: () => string } {
  const { command, prefix } = nodeCommand(wrapper);
  const child = track(spawn(command, [...prefix, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] }), name);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { child, output: () => output };
}

/** Rejects as soon as `child` exits, for racing against a readiness wait. */
export function exitOf(child: ChildProcess, name: string, output: () => string = () => ''): Promise<never> {
  return new Promise((_resolve, reject) => {
    child.once('exit', (code, signal) => reject(new Error(`${name} exited (${code ?? signal}) during the run\n${output()}`)));
  });
}

/** Request/answer over the emulator child's IPC channel. */
export class EmulatorControl {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  constructor(private readonly child: ChildProcess) {
    child.on('message', (reply: ControlReply) => {
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if ('error' in reply) waiter?.reject(new Error(`emulator: ${reply.error}`));
      else waiter?.resolve(reply.result);
    });
    child.once('exit', () => {
      for (const waiter of this.pending.values()) waiter.reject(new Error('emulator exited'));
      this.pending.clear();
    });
  }

  send<C extends EmulatorCommand>(command: C): Promise<EmulatorAnswers[C['type']]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child.send({ id, command } satisfies ControlRequest);
    });
  }
}

/** Resolves once something accepts TCP connections on `port`; bounded by `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`nothing listened on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/** Memory and CPU of one process, read from /proc. */
export class ProcessStats {
  private polledPeakKb = 0;
  private timer?: NodeJS.Timeout;
  private peakWasReset = false;

  constructor(readonly pid: number) {}

  /** Current resident set, kB. */
  rssKb(): number {
    return this.statusField('VmRSS');
  }

  /** User + system CPU time so far, µs. */
  cpuMicros(): number {
    const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at field 3; utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS_PER_SECOND;
  }

  /**
   * Starts a peak measurement: resets the kernel's high-water mark (VmHWM) where allowed,
   * and polls VmRSS as well so a kernel that refuses still gives a close peak.
   */
  startPeak(): void {
    try {
      writeFileSync(`/proc/${this.pid}/clear_refs`, '5');
      this.peakWasReset = true;
    } catch {
      this.peakWasReset = false;
    }
    this.polledPeakKb = this.rssKb();
    this.timer = setInterval(() => {
      try {
        this.polledPeakKb = Math.max(this.polledPeakKb, this.rssKb());
      } catch {
        // The process is gone: its exit, reported by the run, is the error worth seeing.
        clearInterval(this.timer);
      }
    }, 100);
  }

  /** Peak resident set since {@link startPeak}, kB. */
  stopPeak(): number {
    clearInterval(this.timer);
    const polled = Math.max(this.polledPeakKb, this.rssKb());
    return this.peakWasReset ? Math.max(polled, this.statusField('VmHWM')) : polled;
  }

  private statusField(name: string): number {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  }
}
