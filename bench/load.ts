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
  /**
   * Requests sent that got neither an answer nor an error: dropped by a connection the server
   * closed, say. The end of a timed phase drops up to one in-flight request per connection;
   * those are not counted.
   */
  unanswered: number;
  statusCodes: Record<string, number>;
}

export interface LoadOptions {
  url: string;
  connections: number;
  /** How long to load, or (`{ requests }`) how many requests to send. */
  extent: { durationS: number } | { requests: number };
  /** A fixed body, or one per request (single-use codes). */
  body: string | (() => string);
}

/**
 * Client addresses the load comes from, sent as X-Forwarded-For to a service that trusts its
 * loopback proxy: production traffic comes from many clients, and the service's per-IP rate
 * limiter keeps per-address state, so one address for all the load would measure a client
 * that does not exist (and @nestjs/throttler's in-memory store scans all of an address's hits
 * in the window on every request).
 */
const CLIENT_ADDRESSES = Array.from({ length: 4096 }, (_, index) => `10.0.${index >> 8}.${index & 255}`);

/** Requests that got no 2xx answer: non-2xx statuses, connection errors, timeouts and requests lost. */
export const failedRequests = (load: LoadResult) => load.non2xx + load.errors + load.unanswered;

function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}

/**
 * Drives one `POST` route with autocannon for a fixed duration or number of requests. Latencies
 * come from every response's own timing rather than autocannon's histogram, which rounds to
 * whole milliseconds (too coarse for a 3 ms budget).
 */
export async function runLoad({ url, connections, extent, body }: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const nextBody = typeof body === 'string' ? () => body : body;
  let sent = 0;
  const instance = autocannon({
    url,
    connections,
    ...('requests' in extent ? { amount: extent.requests } : { duration: extent.durationS }),
    // Well inside a timed phase, so a hung request counts as an error before the phase ends;
    // counting runs under valgrind, 30 times slower, get more.
    timeout: 'requests' in extent ? 10 : 2,
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => ({
          ...request,
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'x-forwarded-for': CLIENT_ADDRESSES[sent++ % CLIENT_ADDRESSES.length],
          },
          body: nextBody(),
        }),
      },
    ],
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
    unanswered: Math.max(0, sent - latencies.length - result.errors - ('requests' in extent ? 0 : connections)),
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([status, { count }]) => [status, Number(count)])),
  };
}
