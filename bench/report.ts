import { failedRequests, LoadResult } from './load';

export type Route = 'refresh' | 'swap';
export type Target = 'service' | 'baseline';

/** One target under one load phase: client-side numbers plus what the processes saw. */
export interface Measurement {
  load: LoadResult;
  /** TCP connections the emulator accepted during the phase. */
  upstreamConnections: number;
  peakRssMb: number;
  cpuMicrosPerRequest: number;
  /** The other two busy processes on the same cores, for reading the numbers above. */
  emulatorCpuMicrosPerRequest: number;
  driverCpuMicrosPerRequest: number;
}

/** The load shape the throughput and memory targets are judged on. */
const HEADLINE = { latencyMs: 0, route: 'refresh' as Route, connections: 64 };

/** The connection count the added-latency target is judged at. */
const P99_CONNECTIONS = 16;

type Shape = Pick<Row, 'latencyMs' | 'route' | 'connections'>;

function isHeadline(row: Shape): boolean {
  return row.latencyMs === HEADLINE.latencyMs && row.route === HEADLINE.route && row.connections === HEADLINE.connections;
}

/** Rows a target is judged on are repeated (ABBA), so no verdict rests on one program's one bad run. */
export function isJudged(row: Shape): boolean {
  return isHeadline(row) || row.connections === P99_CONNECTIONS;
}

/** One line of the table: a load shape, run once or more per program (ABBA). */
export interface Row {
  latencyMs: number;
  route: Route;
  connections: number;
  runs: Record<Target, Measurement[]>;
}

const TARGETS = {
  throughputRatio: 0.6,
  addedP99Ms: 3,
  upstreamPerConnection: 2,
  peakRssMb: 200,
  // Heap settling between the first two rounds moves a few MB; a leak keeps climbing.
  rssGrowthMb: 10,
} as const;

export interface Check {
  name: string;
  passed: boolean;
  detail: string;
}

/** The median of one statistic over a row's rounds, so one lucky or unlucky round does not speak for all. */
function median(runs: Measurement[], statistic: (m: Measurement) => number): number {
  const sorted = runs.map(statistic).sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return Number.isInteger(middle) ? (sorted[middle - 1] + sorted[middle]) / 2 : sorted[Math.floor(middle)];
}

const perSecond = (m: Measurement) => m.load.perSecond;
const p99 = (m: Measurement) => m.load.p99Ms;
const cpu = (m: Measurement) => m.cpuMicrosPerRequest;

const fixed = (value: number, digits = 1) => value.toFixed(digits);
const pair = (service: number, baseline: number, digits = 1) => `${fixed(service, digits)} / ${fixed(baseline, digits)}`;
const failures = (m: Measurement) => failedRequests(m.load);

export function renderTable(rows: Row[]): string {
  const header = [
    'upstream',
    'route',
    'conns',
    'req/s svc / raw',
    'req/s ×',
    'p50 ms svc / raw',
    'p99 ms svc / raw',
    'p99 Δ ms',
    'max ms svc / raw',
    'CPU µs/req svc / raw',
    'CPU ×',
    'emulator CPU µs/req svc / raw',
    'upstream conns svc / raw',
    'peak RSS MB svc / raw',
    'failed (non-2xx, errors, unanswered) svc / raw',
  ];
  const lines = rows.map((row) => {
    const { service, baseline } = row.runs;
    const both = (statistic: (m: Measurement) => number) => [median(service, statistic), median(baseline, statistic)] as const;
    const [sPerSecond, bPerSecond] = both(perSecond);
    const [sP99, bP99] = both(p99);
    const [sCpu, bCpu] = both(cpu);
    const most = (statistic: (m: Measurement) => number) => [Math.max(...service.map(statistic)), Math.max(...baseline.map(statistic))] as const;
    const rounds = service.length > 1 ? ` (median of ${service.length})` : '';
    return [
      `${row.latencyMs} ms`,
      `/${row.route}`,
      `${row.connections}${rounds}`,
      pair(sPerSecond, bPerSecond, 0),
      fixed(sPerSecond / bPerSecond, 2),
      pair(...both((m) => m.load.p50Ms)),
      pair(sP99, bP99),
      fixed(sP99 - bP99),
      pair(...most((m) => m.load.maxMs)),
      pair(sCpu, bCpu, 0),
      fixed(sCpu / bCpu, 2),
      pair(...both((m) => m.emulatorCpuMicrosPerRequest), 0),
      most((m) => m.upstreamConnections).join(' / '),
      pair(...most((m) => m.peakRssMb), 0),
      `${service.reduce((sum, m) => sum + failures(m), 0)} / ${baseline.reduce((sum, m) => sum + failures(m), 0)}`,
    ];
  });
  return [header, header.map(() => '---'), ...lines].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/** The targets, each with the numbers it was judged on. */
export function checkTargets(rows: Row[]): Check[] {
  const checks: Check[] = [];
  const headline = rows.find(isHeadline);
  if (headline) {
    const s = median(headline.runs.service, perSecond);
    const b = median(headline.runs.baseline, perSecond);
    checks.push({
      name: `throughput /refresh, 64 conns, 0 ms ≥ ${TARGETS.throughputRatio} × baseline`,
      passed: s >= TARGETS.throughputRatio * b,
      detail: `${fixed(s, 0)} vs ${fixed(b, 0)} req/s = ${fixed(s / b, 2)} ×`,
    });
  }
  for (const row of rows.filter((candidate) => candidate.connections === P99_CONNECTIONS)) {
    const s = median(row.runs.service, p99);
    const b = median(row.runs.baseline, p99);
    checks.push({
      name: `p99 /${row.route}, ${P99_CONNECTIONS} conns, ${row.latencyMs} ms ≤ baseline + ${TARGETS.addedP99Ms} ms`,
      passed: s <= b + TARGETS.addedP99Ms,
      detail: `${fixed(s)} vs ${fixed(b)} ms (Δ ${fixed(s - b)})`,
    });
  }
  const all = rows.flatMap((row) =>
    (['service', 'baseline'] as const).flatMap((target) => row.runs[target].map((m) => ({ row, target, m }))),
  );
  const overUsed = all.filter(({ row, m }) => m.upstreamConnections > TARGETS.upstreamPerConnection * row.connections);
  checks.push({
    name: `upstream connections ≤ ${TARGETS.upstreamPerConnection} × connections, every phase`,
    passed: overUsed.length === 0,
    detail:
      overUsed.length === 0
        ? `most: ${Math.max(...all.map(({ m }) => m.upstreamConnections))}`
        : overUsed.map(({ row, target, m }) => `${target} /${row.route} ${row.connections}c ${row.latencyMs}ms: ${m.upstreamConnections}`).join('; '),
  });
  const peaks64 = all.filter(({ row, target }) => target === 'service' && row.connections === 64).map(({ m }) => m.peakRssMb);
  // A run without a 64-connection phase (BENCH_CONNECTIONS) has nothing to judge this on.
  if (peaks64.length > 0) {
    const peak = Math.max(...peaks64);
    checks.push({ name: `service peak RSS at 64 conns ≤ ${TARGETS.peakRssMb} MB`, passed: peak <= TARGETS.peakRssMb, detail: `${fixed(peak, 0)} MB` });
  }
  if (headline && headline.runs.service.length > 1) {
    const peaks = headline.runs.service.map((m) => m.peakRssMb);
    const growth = peaks[peaks.length - 1] - peaks[0];
    checks.push({
      name: `no RSS growth across repeated 64-conn /refresh phases (≤ ${TARGETS.rssGrowthMb} MB)`,
      passed: growth <= TARGETS.rssGrowthMb,
      detail: `${peaks.map((mb) => fixed(mb, 0)).join(' → ')} MB (${growth >= 0 ? '+' : ''}${fixed(growth)})`,
    });
  }
  const failed = all.filter(({ m }) => failures(m) > 0);
  checks.push({
    name: 'zero errors and zero non-2xx, every phase',
    passed: failed.length === 0,
    detail:
      failed.length === 0
        ? `${all.reduce((sum, { m }) => sum + m.load.requests, 0)} requests`
        : failed
            .map(({ row, target, m }) => `${target} /${row.route} ${row.connections}c ${row.latencyMs}ms: ${JSON.stringify(m.load.statusCodes)}, ${m.load.errors} errors, ${m.load.unanswered} unanswered`)
            .join('; '),
  });
  return checks;
}

export function renderChecks(checks: Check[]): string {
  return checks.map((check) => `- ${check.passed ? 'PASS' : 'MISS'} ${check.name}: ${check.detail}`).join('\n');
}
