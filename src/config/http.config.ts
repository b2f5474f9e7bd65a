import { EnvironmentVariables, parseList, parseTrustProxy, shutdownDelayMs, shutdownGraceMs } from './environment';
import { configNamespace } from './config-namespace';

/** How this service listens and logs. */
export interface HttpSettings {
  port: number;
  production: boolean;
  accessLog: boolean;
  logLevel: string;
  /** Express `trust proxy`: all, a hop count, or the addresses/ranges trusted; false ignores `X-Forwarded-*`. */
  trustProxy: boolean | number | string[];
  /**
   * Idle keep-alive sockets from clients are kept this long. Above load balancers' idle
   * timeouts (AWS ALB and nginx: 60 s), so a balancer never reuses a socket we just closed.
   */
  keepAliveTimeoutMs: number;
  /** After SIGTERM: stay up, not ready, this long so balancers stop sending before we stop listening. */
  shutdownDelayMs: number;
  /** After SIGTERM: the most time in-flight requests get before connections are cut. */
  shutdownGraceMs: number;
  /** Origins allowed to call the token routes from a browser. */
  corsOrigins: string[];
  /** Serve the interactive API page at /docs (/openapi.json is always served). */
  apiDocs: boolean;
  /** When set, `/metrics` answers only `Authorization: Bearer <token>`. */
  metricsToken: string | undefined;
}

export function httpSettings(env: EnvironmentVariables): HttpSettings {
  return {
    port: env.PORT ?? 5000,
    production: env.NODE_ENV === 'production',
    accessLog: env.ACCESS_LOG !== 'off',
    logLevel: env.LOG_LEVEL ?? 'info',
    trustProxy: parseTrustProxy(env.TRUST_PROXY) ?? false,
    keepAliveTimeoutMs: env.KEEP_ALIVE_TIMEOUT_MS ?? 65_000,
    shutdownDelayMs: shutdownDelayMs(env),
    shutdownGraceMs: shutdownGraceMs(env),
    corsOrigins: parseList(env.CORS_ORIGINS),
    apiDocs: (env.API_DOCS ?? (env.NODE_ENV === 'production' ? 'off' : 'on')) === 'on',
    metricsToken: env.METRICS_TOKEN,
  };
}

export const httpConfig = configNamespace('http', httpSettings);
