import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomToken } from '../src/common/random-token';
import { createSelfSignedCert } from '../src/emulator/self-signed-cert';
import { freePort } from '../test/support/free-port';
import type { BaselineReady } from './control';
import { failedRequests, runLoad } from './load';
import {
  EmulatorControl,
  exitOf,
  forkScript,
  killChildren,
  ProcessStats,
  spawnProgram,
  stopChildren,
  waitForPort,
} from './processes';
import { checkTargets, isJudged, Measurement, renderChecks, renderTable, Route, Row, Target } from './report';

/** Compiled to dist/bench/bench/: the repository root is three levels up. */
const ROOT = join(__dirname, '..', '..', '..');
const CALLBACK_URL = 'benchapp://callback';
const CLIENT = { clientId: 'bench-client-id', clientSecret: 'bench-client-secret', redirectUris: [CALLBACK_URL] };

interface Settings {
  durationS: number;
  warmupS: number;
  connections: number[];
  latenciesMs: number[];
  repeats: number;
  /** The image's NODE_OPTIONS (its V8 heap cap), so the service is measured as it ships. */
  nodeOptions: string;
  /** Above 0: count instructions over this many /refresh per program instead of timing phases. */
  instructions: number;
}

function numbers(name: string, fallback: string, min: number): number[] {
  const raw = process.env[name] ?? fallback;
  const values = raw.split(',').map((item) => Number(item.trim()));
  if (values.length === 0 || values.some((value) => !Number.isInteger(value) || value < min)) {
    throw new Error(`${name} must be a comma list of whole numbers ≥ ${min}, got "${raw}"`);
  }
  return values;
}

function readSettings(): Settings {
  return {
    durationS: numbers('BENCH_DURATION_S', '5', 1)[0],
    warmupS: numbers('BENCH_WARMUP_S', '3', 0)[0],
    connections: numbers('BENCH_CONNECTIONS', '1,16,64', 1),
    latenciesMs: numbers('BENCH_LATENCIES_MS', '0,20', 0),
    repeats: numbers('BENCH_REPEATS', '3', 1)[0],
    nodeOptions: imageNodeOptions(),
    instructions: numbers('BENCH_INSTRUCTIONS', '0', 0)[0],
  };
}

/** The Dockerfile's `ENV NODE_OPTIONS=` value. */
function imageNodeOptions(): string {
  const match = /^ENV NODE_OPTIONS=(\S+)$/m.exec(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
  if (!match) throw new Error('the Dockerfile sets no NODE_OPTIONS');
  return match[1];
}

interface Runner {
  name: Target;
  url: string;
  stats: ProcessStats;
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function postForm(url: string, body: string): Promise<Record<string, unknown>> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`POST ${url} answered ${response.status}: ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** The emulator, the service and the baseline, started and each answering a first swap and refresh. */
interface Programs {
  emulator: EmulatorControl;
  emulatorStats: ProcessStats;
  runners: Runner[];
  /** A refresh token both programs open. */
  sealed: string;
  /** `work`, or the error of whichever program died first. */
  guard: <T>(work: Promise<T>) => Promise<T>;
}

/**
 * BENCH_INSTRUCTIONS: both programs under valgrind's callgrind, counting nothing until told to.
 * Instructions are the same for the same work whatever else the machine does, unlike time here.
 */
const callgrind = (workDir: string) => ['valgrind', '-q', '--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${join(workDir, 'callgrind.%p')}`];

async function startPrograms(settings: Settings, workDir: string): Promise<Programs> {
  const counting = settings.instructions > 0;
  const cert = createSelfSignedCert();
  const caFile = join(workDir, 'emulator-ca.pem');
  writeFileSync(caFile, cert.cert);

  const emulatorChild = forkScript(join(__dirname, 'emulator-process.js'), { PATH: process.env.PATH }, 'emulator');
  const emulator = new EmulatorControl(emulatorChild);
  const emulatorDied = exitOf(emulatorChild, 'emulator');
  emulatorDied.catch(() => undefined);
  const accountsUrl = await Promise.race([emulator.send({ type: 'start', tls: cert, client: CLIENT }), emulatorDied]);

  // Both programs get the same configuration and trust the throwaway CA the same way.
  const env = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    ACCESS_LOG: 'off',
    LOG_LEVEL: 'warn',
    CLIENT_ID: CLIENT.clientId,
    CLIENT_SECRET: CLIENT.clientSecret,
    SPOTIFY_ACCOUNTS_URL: accountsUrl,
    ENCRYPTION_SECRET: randomToken(),
    CALLBACK_URL,
    NODE_EXTRA_CA_CERTS: caFile,
  };
  const servicePort = await freePort();
  // As behind a load balancer: clients named by X-Forwarded-For (see load.ts), each well under
  // its rate limit. No balancer waits for this instance to drain, so it stops at once (and so
  // can write a --cpu-prof).
  const serviceEnv = {
    ...env,
    PORT: String(servicePort),
    // Not under valgrind: V8 sizes its heap from timings, which a 30-fold slow-down distorts,
    // so a heap cap there counts GC work the service does not do at full speed.
    ...(counting ? {} : { NODE_OPTIONS: settings.nodeOptions }),
    TRUST_PROXY: 'loopback',
    RATE_LIMIT_PER_MINUTE: '1000000',
    SHUTDOWN_DELAY_MS: '0',
  };
  // Node flags for both programs alike, e.g. `--cpu-prof` to see where the time goes.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter((arg) => arg.length > 0);
  const wrapper = counting ? callgrind(workDir) : [];
  const service = spawnProgram([...nodeArgs, join(ROOT, 'dist', 'main.js')], serviceEnv, 'service', wrapper);
  const baseline = forkScript(join(__dirname, 'raw-baseline.js'), env, 'baseline', nodeArgs, wrapper);
  const died = Promise.race([emulatorDied, exitOf(service.child, 'service', service.output), exitOf(baseline, 'baseline')]);
  died.catch(() => undefined);
  const guard = <T>(work: Promise<T>): Promise<T> => Promise.race([work, died]);

  const [ready] = (await guard(once(baseline, 'message'))) as [BaselineReady];
  // Under valgrind, start-up takes a minute rather than a second.
  await guard(waitForPort(servicePort, counting ? 300_000 : 20_000));
  const runners: Runner[] = [
    { name: 'service', url: `http://127.0.0.1:${servicePort}`, stats: new ProcessStats(service.child.pid ?? 0) },
    { name: 'baseline', url: `http://127.0.0.1:${ready.port}`, stats: new ProcessStats(baseline.pid ?? 0) },
  ];

  // One sealed token serves every /refresh: both programs seal with the same class, key and client id.
  const [code] = await guard(emulator.send({ type: 'mint', count: 1, redirectUri: CALLBACK_URL }));
  const sealed = String((await guard(postForm(`${runners[0].url}/swap`, `code=${code}`))).refresh_token);
  for (const runner of runners) {
    await guard(postForm(`${runner.url}/refresh`, `refresh_token=${sealed}`));
    const [fresh] = await guard(emulator.send({ type: 'mint', count: 1, redirectUri: CALLBACK_URL }));
    await guard(postForm(`${runner.url}/swap`, `code=${fresh}`));
  }
  return { emulator, emulatorStats: new ProcessStats(emulatorChild.pid ?? 0), runners, sealed, guard };
}

async function timedPhases(settings: Settings, { emulator, emulatorStats, runners, sealed, guard }: Programs): Promise<{ rows: Row[]; exhaustedCodes: number }> {
  let exhaustedCodes = 0;
  /** Single-use codes, minted in the emulator before the phase so minting costs nothing during it. */
  const codeBodies = async (count: number): Promise<() => string> => {
    const codes = await guard(emulator.send({ type: 'mint', count, redirectUri: CALLBACK_URL }));
    let next = 0;
    return () => {
      if (next < codes.length) return `code=${codes[next++]}`;
      exhaustedCodes += 1;
      return 'code=';
    };
  };
  const fastestSwap: Record<Target, number> = { service: 0, baseline: 0 };
  /**
   * A code per request: twice the program's best /swap rate so far, at least 4000/s; before its
   * first /swap, more than any program here has done. Its /refresh rate is no guide: a swap can
   * outrun it, and a busy moment in the first phase would set every margin after it too low.
   */
  const codesPerSecond = (target: Target) => (fastestSwap[target] === 0 ? 8000 : Math.max(4000, 2 * fastestSwap[target]));

  const measure = async (runner: Runner, route: Route, connections: number, durationS: number): Promise<Measurement> => {
    const body = route === 'refresh' ? `refresh_token=${sealed}` : await codeBodies(Math.ceil(codesPerSecond(runner.name) * durationS));
    await guard(emulator.send({ type: 'reset' }));
    runner.stats.startPeak();
    const cpuBefore = runner.stats.cpuMicros();
    const emulatorCpuBefore = emulatorStats.cpuMicros();
    const driverCpuBefore = process.cpuUsage();
    const load = await guard(runLoad({ url: `${runner.url}/${route}`, connections, extent: { durationS }, body }));
    const driverCpu = process.cpuUsage(driverCpuBefore);
    const perRequest = (micros: number) => (load.requests > 0 ? micros / load.requests : 0);
    const measurement: Measurement = {
      load,
      upstreamConnections: await guard(emulator.send({ type: 'connections' })),
      peakRssMb: runner.stats.stopPeak() / 1024,
      cpuMicrosPerRequest: perRequest(runner.stats.cpuMicros() - cpuBefore),
      emulatorCpuMicrosPerRequest: perRequest(emulatorStats.cpuMicros() - emulatorCpuBefore),
      driverCpuMicrosPerRequest: perRequest(driverCpu.user + driverCpu.system),
    };
    if (route === 'swap') {
      fastestSwap[runner.name] = Math.max(fastestSwap[runner.name], load.perSecond);
      await guard(emulator.send({ type: 'forget-codes' }));
    }
    return measurement;
  };

  if (settings.warmupS > 0) {
    log(`warm-up: ${settings.warmupS} s per route and program at 64 connections`);
    for (const runner of runners) {
      for (const route of ['refresh', 'swap'] as const) await measure(runner, route, 64, settings.warmupS);
    }
  }

  const rows: Row[] = [];
  for (const latencyMs of settings.latenciesMs) {
    await guard(emulator.send({ type: 'latency', ms: latencyMs }));
    for (const connections of settings.connections) {
      for (const route of ['refresh', 'swap'] as const) {
        const row: Row = { latencyMs, route, connections, runs: { service: [], baseline: [] } };
        // Service and baseline take turns, and who goes first alternates from row to row and round
        // to round (ABBA when repeated), so drift on this shared machine hits both alike.
        for (let round = 0; round < (isJudged(row) ? settings.repeats : 1); round += 1) {
          const order = (rows.length + round) % 2 === 0 ? runners : [...runners].reverse();
          for (const runner of order) {
            const m = await measure(runner, route, connections, settings.durationS);
            row.runs[runner.name].push(m);
            log(
              `${latencyMs} ms /${route} ${connections} conns ${runner.name}: ${m.load.perSecond.toFixed(0)} req/s, ` +
                `p99 ${m.load.p99Ms.toFixed(1)} ms, CPU/req ${m.cpuMicrosPerRequest.toFixed(0)} µs ` +
                `(emulator ${m.emulatorCpuMicrosPerRequest.toFixed(0)}, autocannon ${m.driverCpuMicrosPerRequest.toFixed(0)}), ` +
                `${m.upstreamConnections} upstream conns, peak ${m.peakRssMb.toFixed(0)} MB, ${m.load.non2xx} non-2xx, ${m.load.errors} errors, ` +
                `${m.load.unanswered} unanswered`,
            );
          }
        }
        rows.push(row);
      }
    }
  }
  return { rows, exhaustedCodes };
}

/** Enough for V8 to have optimised the hot path of either program before counting starts. */
const INSTRUCTION_WARMUP_REQUESTS = 5000;

/** Instructions per /refresh of each program: a warm-up uncounted, then `settings.instructions` counted. */
async function instructionCounts(settings: Settings, { runners, sealed, guard }: Programs, workDir: string): Promise<Record<Target, number>> {
  const counts: Record<Target, number> = { service: 0, baseline: 0 };
  for (const runner of runners) {
    const pid = String(runner.stats.pid);
    const load = (requests: number) =>
      guard(runLoad({ url: `${runner.url}/refresh`, connections: 16, extent: { requests }, body: `refresh_token=${sealed}` }));
    // callgrind_control waits until valgrind has carried the command out.
    const control = (option: string) => execFileSync('callgrind_control', [option, pid], { stdio: 'ignore' });
    await load(INSTRUCTION_WARMUP_REQUESTS);
    control('--instr=on');
    const counted = await load(settings.instructions);
    control('--dump');
    control('--instr=off');
    if (failedRequests(counted) > 0 || counted.requests === 0) {
      throw new Error(
        `${runner.name}: ${counted.non2xx} non-2xx, ${counted.errors} errors and ${counted.unanswered} unanswered of ${counted.requests} counted requests`,
      );
    }
    const totals = /^totals:\s+(\d+)/m.exec(readFileSync(join(workDir, `callgrind.${pid}.1`), 'utf8'));
    if (!totals) throw new Error(`${runner.name}: callgrind wrote no totals`);
    counts[runner.name] = Number(totals[1]) / counted.requests;
    log(`${runner.name}: ${(counts[runner.name] / 1e6).toFixed(3)} M instructions per /refresh over ${counted.requests} requests`);
  }
  return counts;
}

function command(): string {
  const overrides = Object.entries(process.env)
    .filter(([name]) => name.startsWith('BENCH_'))
    .map(([name, value]) => `${name}=${value} `)
    .join('');
  return `${overrides}npm run bench`;
}

function resultsMarkdown(settings: Settings, table: string, checks: string): string {
  return `# Benchmark results

Written by \`npm run bench\` (bench/run.ts); re-run it when the hot path changes.

- Machine: ${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}
- Node ${process.version}, ${new Date().toISOString()}
- Command: \`${command()}\`
- Each phase ${settings.durationS} s after ${settings.warmupS} s warm-up per route and program; connections ${settings.connections.join(', ')}; upstream latency ${settings.latenciesMs.join(' and ')} ms. The rows a target is judged on (/refresh at 64 connections and 0 ms, and every 16-connection row) run ${settings.repeats}× per program (ABBA…); their cells are the median over rounds of each statistic (max, upstream conns and peak RSS: the most, failed: the sum). Who goes first alternates from row to row.
- svc = \`node dist/main.js\` (NODE_OPTIONS=${settings.nodeOptions} as in the Dockerfile, NODE_ENV=production, ACCESS_LOG=off, LOG_LEVEL=warn, TRUST_PROXY=loopback, RATE_LIMIT_PER_MINUTE=1000000); raw = bench/raw-baseline.ts (node:http server, undici Pool to the emulator as the service uses, same Sealer, /swap too). Both call the emulator (its own process) over HTTPS on keep-alive sockets, trusting its throwaway certificate through NODE_EXTRA_CA_CERTS.
- Requests name their client in X-Forwarded-For, from a pool of 4096 addresses, as behind a load balancer: the service's per-IP rate limiter then keeps per-client state the size production sees. (All load from one address with the limit raised would measure @nestjs/throttler's in-memory store scanning a minute of that address's hits on every request.)
- CPU µs/req is the program's own user+system time (/proc) over requests served: the steadiest number here. Emulator CPU is the emulator's own over the same requests. The load generator, the emulator and the program share the cores, which caps how fast a cheap program can go and makes req/s and latency swing between runs (±25 % has been seen); compare ratios.
- Upstream conns: TCP/TLS connections the emulator accepted during the phase; 0 means the program kept using sockets its pool opened in the phase before. Failed counts non-2xx answers, errors (a 2 s timeout included) and requests sent but never answered beyond the one per connection the end of a phase cuts off.
- Once a program's one thread is saturated, latency at a fixed number of connections is connections ÷ throughput: at 0 ms the 16-connection p99 check restates the throughput gap, and the 20 ms pass is where it shows added latency.

${table}

## Targets

${checks}
`;
}

/** Holds the throwaway CA certificate and, under BENCH_INSTRUCTIONS, callgrind's output; removed on every way out. */
const workDir = mkdtempSync(join(tmpdir(), 'token-swap-bench-'));

async function main(): Promise<number> {
  const settings = readSettings();
  try {
    const programs = await startPrograms(settings, workDir);
    if (settings.instructions > 0) {
      const counts = await instructionCounts(settings, programs, workDir);
      process.stdout.write(`\nservice / baseline: ${(counts.service / counts.baseline).toFixed(2)}× the instructions per /refresh\n`);
      return 0;
    }
    const { rows, exhaustedCodes } = await timedPhases(settings, programs);
    const table = renderTable(rows);
    const checks = checkTargets(rows);
    const checkText = renderChecks(checks);
    process.stdout.write(`\n${table}\n\n${checkText}\n`);
    writeFileSync(join(ROOT, 'bench', 'RESULTS.md'), resultsMarkdown(settings, table, checkText));
    if (exhaustedCodes > 0) log(`bench error: ${exhaustedCodes} /swap requests found no minted code left`);
    // Missed performance targets are reported, not failed; requests that failed are errors.
    const clean = checks.find((check) => check.name.startsWith('zero errors'))?.passed ?? false;
    return clean && exhaustedCodes === 0 ? 0 : 1;
  } finally {
    await stopChildren();
    rmSync(workDir, { recursive: true, force: true });
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killChildren();
    rmSync(workDir, { recursive: true, force: true });
    process.exit(130);
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    killChildren();
    rmSync(workDir, { recursive: true, force: true });
    log(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
