import { AxiosAdapter, AxiosError, AxiosResponse, CanceledError, InternalAxiosRequestConfig } from 'axios';
import http from 'node:http';
import https from 'node:https';

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
  /** Closes every pooled socket (shutdown). */
  destroy(): void;
}

/** Errors that mean a reused socket was already dead when we wrote to it. */
const STALE_SOCKET_CODES = new Set(['ECONNRESET', 'EPIPE']);

/**
 * The bytes under `HttpService`: node's own HTTP client on pooled keep-alive sockets,
 * without axios' default http adapter (follow-redirects, proxy look-ups, per-call agents),
 * which cost more CPU than the rest of a `/refresh` call. Honours `config.signal` until the
 * last byte of the body, so one signal bounds the whole call.
 */
export function createKeepAliveAdapter(options: KeepAliveAdapterOptions): KeepAliveAdapter {
  const agentOptions = {
    keepAlive: true,
    maxSockets: options.maxSockets,
    maxFreeSockets: options.maxSockets,
    timeout: options.idleSocketTimeoutMs,
    scheduling: 'lifo' as const,
  };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent(agentOptions);

  const send = (config: InternalAxiosRequestConfig, url: URL, retryStaleSocket: boolean): Promise<AxiosResponse<string>> =>
    new Promise((resolve, reject) => {
      const signal = config.signal as AbortSignal | undefined;
      const secure = url.protocol === 'https:';
      const request = (secure ? https : http).request(url, {
        method: (config.method ?? 'get').toUpperCase(),
        // axios hands adapters its own AxiosHeaders, already normalised.
        headers: config.headers.toJSON(true) as http.OutgoingHttpHeaders,
        agent: secure ? httpsAgent : httpAgent,
      });

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
          request.destroy();
          reject(error instanceof AxiosError ? error : AxiosError.from(error, (error as NodeJS.ErrnoException).code, config, request));
        });
      const onAbort = () => fail(new CanceledError(undefined, config, request));
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });

      request.on('error', (error: NodeJS.ErrnoException) => {
        // The upstream closed an idle socket just as we reused it: the request never reached
        // it, so one retry on a fresh socket is safe and invisible to the user.
        if (retryStaleSocket && request.reusedSocket && STALE_SOCKET_CODES.has(error.code ?? '')) {
          settle(() => resolve(send(config, url, false)));
          return;
        }
        fail(error);
      });

      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        let received = 0;
        response.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > options.maxResponseBytes) {
            fail(new AxiosError('Upstream answer too large', AxiosError.ERR_BAD_RESPONSE, config, request));
            return;
          }
          chunks.push(chunk);
        });
        response.on('error', fail);
        response.on('close', () => {
          if (!response.complete) fail(new AxiosError('Upstream answer truncated', AxiosError.ERR_BAD_RESPONSE, config, request));
        });
        response.on('end', () => {
          const answer: AxiosResponse<string> = {
            data: (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).toString('utf8'),
            status: response.statusCode ?? 0,
            statusText: response.statusMessage ?? '',
            // axios wraps these in AxiosHeaders itself once the adapter returns.
            headers: response.headers as Record<string, string>,
            config,
            request,
          };
          if (config.validateStatus && !config.validateStatus(answer.status)) {
            fail(new AxiosError(`Status ${answer.status}`, AxiosError.ERR_BAD_RESPONSE, config, request, answer));
            return;
          }
          settle(() => resolve(answer));
        });
      });

      request.end(config.data as string | Buffer | undefined);
    });

  return {
    adapter: (config) => send(config, new URL(config.url ?? '', config.baseURL), true),
    destroy: () => {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
