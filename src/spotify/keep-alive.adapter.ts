import { AxiosAdapter, AxiosError, AxiosHeaders, AxiosResponse, CanceledError, InternalAxiosRequestConfig } from 'axios';
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
      if (signal?.aborted) {
        reject(new CanceledError(undefined, config));
        return;
      }
      const transport = url.protocol === 'https:' ? https : http;
      const request = transport.request(url, {
        method: (config.method ?? 'get').toUpperCase(),
        headers: AxiosHeaders.from(config.headers).toJSON(true) as http.OutgoingHttpHeaders,
        agent: url.protocol === 'https:' ? httpsAgent : httpAgent,
      });
      let answered = false;
      const onAbort = () => request.destroy(new CanceledError(undefined, config));
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = (outcome: () => void) => {
        signal?.removeEventListener('abort', onAbort);
        outcome();
      };

      request.on('error', (error: NodeJS.ErrnoException) => {
        if (error instanceof CanceledError) {
          settle(() => reject(error));
          return;
        }
        // The upstream closed an idle socket just as we reused it: the request never reached
        // it, so one retry on a fresh socket is safe and invisible to the user.
        if (retryStaleSocket && !answered && request.reusedSocket && STALE_SOCKET_CODES.has(error.code ?? '')) {
          settle(() => resolve(send(config, url, false)));
          return;
        }
        settle(() => reject(AxiosError.from(error, error.code, config, request)));
      });

      request.on('response', (response) => {
        answered = true;
        const chunks: Buffer[] = [];
        let received = 0;
        response.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > options.maxResponseBytes) {
            request.destroy(new AxiosError('Upstream answer too large', AxiosError.ERR_BAD_RESPONSE, config));
            return;
          }
          chunks.push(chunk);
        });
        response.on('error', (error) => request.destroy(error));
        response.on('end', () => {
          if (!response.complete) {
            request.destroy(new AxiosError('Upstream answer truncated', AxiosError.ERR_BAD_RESPONSE, config));
            return;
          }
          const answer: AxiosResponse<string> = {
            data: Buffer.concat(chunks).toString('utf8'),
            status: response.statusCode ?? 0,
            statusText: response.statusMessage ?? '',
            headers: AxiosHeaders.from(response.headers as Record<string, string>),
            config,
            request,
          };
          const accepted = config.validateStatus ? config.validateStatus(answer.status) : true;
          settle(() =>
            accepted
              ? resolve(answer)
              : reject(new AxiosError(`Status ${answer.status}`, AxiosError.ERR_BAD_RESPONSE, config, request, answer)),
          );
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
