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

/** The load shape the throughput and memory targets are judged on, repeated ABAB. */
export const HEADLINE = { latencyMs: 0, route: 'refresh' as Route, connections: 64 };

export function isHeadline(row: Pick<Row, 'latencyMs' | 'route' | 'connections'>): boolean {
  return row.latencyMs === HEADLINE.latencyMs && row.route === HEADLINE.route && row.connections === HEADLINE.connections;
}

/** One line of the table: a load shape, run once or more per target (ABAB). */
export interface Row {
  latencyMs: number;
  route: Route;
  connections: number;
  runs: Record<Target, Measurement[]>;
}

export const TARGETS = {
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

/** The run with the median throughput, so one lucky or unlucky round does not speak for all. */
export function representative(runs: Measurement[]): Measurement {
  const sorted = [...runs].sort((a, b) => a.load.perSecond - b.load.perSecond);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

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
    'upstream conns svc / raw',
    'peak RSS MB svc / raw',
    'failed (non-2xx, errors, unanswered) svc / raw',
  ];
  const lines = rows.map((row) => {
    const s = representative(row.runs.service);
    const b = representative(row.runs.baseline);
    const rounds = row.runs.service.length > 1 ? ` (median of ${row.runs.service.length})` : '';
    return [
      `${row.latencyMs} ms`,
      `/${row.route}`,
      `${row.connections}${rounds}`,
      pair(s.load.perSecond, b.load.perSecond, 0),
      fixed(s.load.perSecond / b.load.perSecond, 2),
      pair(s.load.p50Ms, b.load.p50Ms),
      pair(s.load.p99Ms, b.load.p99Ms),
      fixed(s.load.p99Ms - b.load.p99Ms),
      pair(s.load.maxMs, b.load.maxMs),
      pair(s.cpuMicrosPerRequest, b.cpuMicrosPerRequest, 0),
      fixed(s.cpuMicrosPerRequest / b.cpuMicrosPerRequest, 2),
      `${Math.max(...row.runs.service.map((m) => m.upstreamConnections))} / ${Math.max(...row.runs.baseline.map((m) => m.upstreamConnections))}`,
      pair(Math.max(...row.runs.service.map((m) => m.peakRssMb)), Math.max(...row.runs.baseline.map((m) => m.peakRssMb)), 0),
      `${row.runs.service.reduce((sum, m) => sum + failures(m), 0)} / ${row.runs.baseline.reduce((sum, m) => sum + failures(m), 0)}`,
    ];
  });
  return [header, header.map(() => '---'), ...lines].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/** The targets, each with the numbers it was judged on. */
export function checkTargets(rows: Row[]): Check[] {
  const checks: Check[] = [];
  const headline = rows.find(isHeadline);
  if (headline) {
    const s = representative(headline.runs.service).load.perSecond;
    const b = representative(headline.runs.baseline).load.perSecond;
    checks.push({
      name: `throughput /refresh, 64 conns, 0 ms ≥ ${TARGETS.throughputRatio} × baseline`,
      passed: s >= TARGETS.throughputRatio * b,
      detail: `${fixed(s, 0)} vs ${fixed(b, 0)} req/s = ${fixed(s / b, 2)} ×`,
    });
  }
  for (const row of rows.filter((candidate) => candidate.connections === 16)) {
    const s = representative(row.runs.service).load.p99Ms;
    const b = representative(row.runs.baseline).load.p99Ms;
    checks.push({
      name: `p99 /${row.route}, 16 conns, ${row.latencyMs} ms ≤ baseline + ${TARGETS.addedP99Ms} ms`,
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
