import autocannon from 'autocannon';

/** What one load phase measured at the client side. */
export interface LoadResult {
  requests: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  non2xx: number;
  /** Connection errors and timeouts. */
  errors: number;
  statusCodes: Record<string, number>;
}

export interface LoadOptions {
  url: string;
  connections: number;
  durationS: number;
  /** A fixed body, or one per request (single-use codes). */
  body: string | (() => string);
}

function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}

/**
 * Drives one `POST` route with autocannon for a fixed duration. Latencies come from every
 * response's own timing rather than autocannon's histogram, which rounds to whole milliseconds
 * (too coarse for a 3 ms budget).
 */
export async function runLoad({ url, connections, durationS, body }: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  const instance = autocannon({
    url,
    connections,
    duration: durationS,
    method: 'POST',
    headers,
    timeout: 10,
    requests:
      typeof body === 'string'
        ? [{ method: 'POST', headers, body }]
        : [{ method: 'POST', headers, setupRequest: (request) => ({ ...request, body: body() }) }],
  });
  instance.on('response', (_client, _status, _bytes, responseTime) => {
    latencies.push(responseTime);
  });
  const result = await instance;
  const sorted = Float64Array.from(latencies).sort();
  return {
    requests: result.requests.total,
    perSecond: result.requests.total / result.duration,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted.length > 0 ? sorted[sorted.length - 1] : 0,
    non2xx: result.non2xx,
    errors: result.errors,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([status, { count }]) => [status, Number(count)])),
  };
}
