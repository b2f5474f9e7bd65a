import { AxiosAdapter, AxiosError, AxiosResponse, CanceledError, InternalAxiosRequestConfig } from 'axios';
import type { IncomingHttpHeaders } from 'node:http';
import { Client, Pool } from 'undici';
import type { Dispatcher } from 'undici';
import type { SpotifyPoolLoad } from '../metrics/metrics.service';

export interface KeepAliveAdapterOptions {
  /** Upper bound on open sockets per upstream origin; further calls queue for a free one. */
  maxSockets: number;
  /**
   * Idle pooled sockets are closed after this long. It must stay below the upstream's own
   * keep-alive timeout (Node servers and the emulator: 5 s) so we never write to a socket
   * the upstream is about to close.
   */
  idleSocketTimeoutMs: number;
  /** Answers larger than this are garbage, not tokens. */
  maxResponseBytes: number;
}

export interface KeepAliveAdapter {
  adapter: AxiosAdapter;
  load(): SpotifyPoolLoad;
  /** Closes every pooled socket (shutdown). */
  destroy(): void;
}

/** How a socket the upstream closed or reset under a request shows up. */
const CONNECTION_LOST_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

/**
 * One pooled connection that can say whether a request goes out on a reused socket, which
 * undici itself does not. Only then is a lost connection safe to retry: the request most likely
 * met a socket the upstream had closed while idle. A fresh socket that dies may have delivered
 * it, and a second try would spend an authorization code twice (Spotify answers invalid_grant
 * and may revoke what the first try minted).
 */
class SocketReuseClient extends Client {
  private requestsOnSocket = 0;

  constructor(
    origin: URL,
    options: Client.Options,
    /** Filled in as the pool hands each call's options to a connection. */
    private readonly carriers: WeakMap<Dispatcher.DispatchOptions, SocketReuseClient>,
  ) {
    super(origin, options);
    this.on('connect', () => {
      this.requestsOnSocket = 0;
    });
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    this.carriers.set(options, this);
    return super.dispatch(options, handler);
  }

  /** Called as a request is written (undici's `onRequestStart`): did an earlier one use this socket? */
  startRequest(): boolean {
    return this.requestsOnSocket++ > 0;
  }
}

/**
 * The bytes under `HttpService`: an undici `Pool` of keep-alive sockets per upstream origin,
 * instead of axios' default http adapter (follow-redirects, proxy look-ups, per-call agents)
 * or node's own client, both of which cost more CPU per call under load (README, Benchmark). Honours
 * `config.signal` until the last byte of the body, so one signal bounds the whole call.
 */
export function createKeepAliveAdapter(options: KeepAliveAdapterOptions): KeepAliveAdapter {
  const pools = new Map<string, Pool>();
  const carriers = new WeakMap<Dispatcher.DispatchOptions, SocketReuseClient>();
  const poolFor = (origin: string): Pool => {
    let pool = pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, {
        connections: options.maxSockets,
        pipelining: 1,
        // A server's own `Keep-Alive: timeout=N` hint can only shorten this, never lengthen it.
        keepAliveTimeout: options.idleSocketTimeoutMs,
        keepAliveMaxTimeout: options.idleSocketTimeoutMs,
        factory: (poolOrigin, clientOptions) => new SocketReuseClient(poolOrigin, clientOptions, carriers),
      });
      pools.set(origin, pool);
    }
    return pool;
  };

  const send = (config: InternalAxiosRequestConfig, url: URL, retryLostConnection: boolean): Promise<AxiosResponse<string>> =>
    new Promise((resolve, reject) => {
      const signal = config.signal as AbortSignal | undefined;
      let controller: Dispatcher.DispatchController | undefined;
      let status = 0;
      let headers: IncomingHttpHeaders = {};
      let answerStarted = false;
      /**
       * The request was written onto a socket no earlier request used. Until it is written (a
       * connect or TLS hand-shake that fails) nothing has left, and a reused socket may be one
       * the upstream closed while idle: either way a lost connection is safe to retry.
       */
      let sentOnFreshSocket = false;
      const chunks: Buffer[] = [];
      let received = 0;

      // Exactly one outcome per call, whichever of abort, socket error or answer comes first.
      let settled = false;
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        outcome();
      };
      const fail = (error: Error) =>
        settle(() => {
          controller?.abort(error);
          reject(error instanceof AxiosError ? error : AxiosError.from(error, (error as NodeJS.ErrnoException).code, config));
        });
      const onAbort = () => fail(new CanceledError(undefined, config));
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });

      const call: Dispatcher.DispatchOptions = {
        path: url.pathname + url.search,
        method: (config.method ?? 'get').toUpperCase() as Dispatcher.HttpMethod,
        // axios hands adapters its own AxiosHeaders, already normalised.
        headers: config.headers.toJSON(true) as Record<string, string>,
        body: config.data as string | Buffer | undefined,
      };
      poolFor(url.origin).dispatch(
        call,
        {
          onRequestStart(started) {
            controller = started;
            sentOnFreshSocket = !(carriers.get(call)?.startRequest() ?? false);
            // Aborted while queued for a free socket: never send it.
            if (settled) started.abort(new CanceledError(undefined, config));
          },
          onResponseStart(_controller, statusCode, responseHeaders) {
            answerStarted = true;
            status = statusCode;
            headers = responseHeaders;
          },
          onResponseData(_controller, chunk) {
            received += chunk.length;
            if (received > options.maxResponseBytes) {
              fail(new AxiosError('Upstream answer too large', AxiosError.ERR_BAD_RESPONSE, config));
              return;
            }
            chunks.push(chunk);
          },
          onResponseEnd() {
            const answer: AxiosResponse<string> = {
              data: (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).toString('utf8'),
              status,
              statusText: '',
              // axios wraps these in AxiosHeaders itself once the adapter returns.
              headers: headers as Record<string, string>,
              config,
            };
            if (config.validateStatus && !config.validateStatus(status)) {
              fail(new AxiosError(`Status ${status}`, AxiosError.ERR_BAD_RESPONSE, config, undefined, answer));
              return;
            }
            settle(() => resolve(answer));
          },
          onResponseError(_controller, error: NodeJS.ErrnoException) {
            // Lost before a byte of the answer, and not after a write on a fresh socket: the request
            // never reached the upstream, so one retry on another socket is invisible to the user.
            if (retryLostConnection && !sentOnFreshSocket && !answerStarted && CONNECTION_LOST_CODES.has(error.code ?? '')) {
              settle(() => resolve(send(config, url, false)));
              return;
            }
            fail(error);
          },
        },
      );
    });

  return {
    adapter: (config) => send(config, new URL(config.url ?? '', config.baseURL), true),
    load: () => {
      const load: SpotifyPoolLoad = { connected: 0, running: 0, queued: 0 };
      for (const { stats } of pools.values()) {
        load.connected += stats.connected;
        load.running += stats.running;
        load.queued += stats.queued;
      }
      return load;
    },
    destroy: () => {
      for (const pool of pools.values()) void pool.destroy();
      pools.clear();
    },
  };
}
