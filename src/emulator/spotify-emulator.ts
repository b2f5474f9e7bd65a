import { createServer as createHttpServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { AuthorizeEndpoint, AuthorizePolicy, normaliseScope } from './authorize-endpoint';
import { ClientRegistry, DEFAULT_CLIENT } from './client-registry';
import { FaultQueue, resetConnection, writeFaultAnswer } from './emulator-faults';
import type { EmulatorFault, EmulatorReply, RecordedRequest, SpotifyEmulatorOptions } from './emulator.types';
import { GrantStore } from './grant.store';
import { IdleConnectionCloser } from './idle-connection-closer';
import { BodyTooLargeError, flattenHeaders, parseForm, readBody, send } from './http-io';
import { meEndpoint, webApiError } from './me-endpoint';
import { TokenEndpoint, TokenPolicy } from './token-endpoint';

/** Resolves request targets, which are paths (or, from odd clients, absolute URLs). */
const EMULATOR_BASE = 'http://emulator.invalid';

/** The request target as a URL, parsed once; `undefined` when it is not one. */
function parseTarget(target: string): URL | undefined {
  try {
    return new URL(target, EMULATOR_BASE);
  } catch {
    return undefined;
  }
}

export type { EmulatorClient, EmulatorFault, RecordedRequest, SpotifyEmulatorOptions } from './emulator.types';

/** What {@link SpotifyEmulator.mintCode} issues a code for. */
export interface MintCodeOptions {
  /** Default: the first registered client. */
  clientId?: string;
  /** The exchange must present exactly this `redirect_uri`. */
  redirectUri: string;
  /** Space-separated scopes echoed back by the exchange. Default none. */
  scope?: string;
  /** An S256 challenge; the exchange then needs the matching `code_verifier`. */
  codeChallenge?: string;
}

/** What {@link SpotifyEmulator.issueRefreshToken} issues a refresh token for. */
export interface IssueRefreshTokenOptions {
  /** Default: the first registered client. */
  clientId?: string;
  scope?: string;
  /** Allow refreshing with `client_id` alone, as for a token from a PKCE flow. Default false. */
  publicClient?: boolean;
}

function oauthError(
  status: number,
  error: string,
  description: string,
  headers?: Record<string, string>,
): EmulatorReply {
  return { type: 'json', status, body: { error, error_description: description }, headers };
}

function methodNotAllowed(allow: string): EmulatorReply {
  return oauthError(405, 'invalid_request', 'Method not allowed', { allow });
}

/**
 * A local stand-in for Spotify Accounts (`accounts.spotify.com`), and for the one Web API call
 * the offline demo page makes (`/v1/me`), on a plain Node HTTP(S) server.
 *
 * It issues real opaque codes and tokens, enforces Spotify's rules (single-use codes that live
 * ten minutes, exact redirect URIs, PKCE S256, client authentication) and answers with Spotify's
 * exact status codes and error bodies. Tests inspect what it received through {@link requests}
 * and make `/api/token` misbehave with {@link injectFault}.
 *
 * Settings that tests flip between requests are public fields.
 */
export class SpotifyEmulator implements TokenPolicy, AuthorizePolicy {
  /** `/authorize` redirects with a code at once instead of showing the consent page. */
  autoApprove: boolean;
  /** A refresh grant returns a new refresh token and revokes the one presented. */
  rotateRefreshTokens: boolean;
  /** `expires_in` of access tokens issued from now on. */
  accessTokenTtlSeconds: number;
  /** Fixed delay before every `/api/token` answer. */
  latencyMs: number;

  private readonly now: () => number;
  private readonly clients: ClientRegistry;
  private readonly grants: GrantStore;
  private readonly authorizeEndpoint: AuthorizeEndpoint;
  private readonly tokenEndpoint: TokenEndpoint;
  private readonly faults = new FaultQueue();
  private readonly recorded: RecordedRequest[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly keepAliveTimeoutMs: number;
  private readonly idleCloser: IdleConnectionCloser;
  private server?: Server;
  private baseUrl?: string;
  private accepted = 0;

  constructor(private readonly options: SpotifyEmulatorOptions = {}) {
    this.autoApprove = options.autoApprove ?? false;
    this.rotateRefreshTokens = options.rotateRefreshTokens ?? false;
    this.accessTokenTtlSeconds = options.accessTokenTtlSeconds ?? 3600;
    this.latencyMs = options.latencyMs ?? 0;
    this.now = options.now ?? Date.now;
    this.clients = new ClientRegistry(options.clients ?? [DEFAULT_CLIENT]);
    this.grants = new GrantStore(this.now);
    this.authorizeEndpoint = new AuthorizeEndpoint(this.clients, this.grants, this, this.now);
    this.tokenEndpoint = new TokenEndpoint(this.clients, this.grants, this);
    this.keepAliveTimeoutMs = options.keepAliveTimeoutMs ?? 5000;
    this.idleCloser = new IdleConnectionCloser(this.keepAliveTimeoutMs);
  }

  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:40123`; throws before {@link start}. */
  get url(): string {
    if (this.baseUrl === undefined) throw new Error('SpotifyEmulator is not started');
    return this.baseUrl;
  }

  /** Requests received on `/api/token` and `/v1/me`, oldest first, faulted ones included. */
  get requests(): readonly RecordedRequest[] {
    return this.recorded;
  }

  /** TCP connections accepted since {@link start} or {@link resetCounters}; keep-alive reuse counts once. */
  get connectionsAccepted(): number {
    return this.accepted;
  }

  /**
   * Listens on `port` (0 picks a free one) and resolves to the base URL.
   * @throws when already started, or when the port cannot be bound.
   */
  async start(port = 0): Promise<string> {
    if (this.server) throw new Error('SpotifyEmulator is already started');
    const { tls, host = '127.0.0.1' } = this.options;
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
    const server: Server = tls
      ? createHttpsServer({ key: tls.key, cert: tls.cert }, handler)
      : createHttpServer(handler);
    // Only for the Keep-Alive header Node derives from it; IdleConnectionCloser does the closing.
    server.keepAliveTimeout = this.keepAliveTimeoutMs;
    // The raw TCP socket, also under TLS: destroying it is what lets stop() never hang.
    server.on('connection', (socket: Socket) => {
      this.accepted += 1;
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    this.server = server;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      this.server = undefined;
      throw error;
    }
    this.accepted = 0;
    const bound = (server.address() as AddressInfo).port;
    const urlHost = host.includes(':') ? `[${host}]` : host;
    this.baseUrl = `${tls ? 'https' : 'http'}://${urlHost}:${bound}`;
    return this.baseUrl;
  }

  /** Stops listening and destroys every open connection, hung ones included; a no-op when stopped. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.baseUrl = undefined;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.idleCloser.clear();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
  }

  /** Adds a redirect URI to a client, for a service that learns its own port after listening. */
  registerRedirectUri(clientId: string, uri: string): void {
    this.clients.registerRedirectUri(clientId, uri);
  }

  /** A valid authorization code, as if the user had approved, without the browser round trip. */
  mintCode({ clientId = this.clients.defaultClientId, redirectUri, scope, codeChallenge }: MintCodeOptions): string {
    this.clients.require(clientId);
    return this.grants.issueCode({ clientId, redirectUri, scope: normaliseScope(scope), codeChallenge });
  }

  /** Codes minted or issued and not yet redeemed stop working: a benchmark's leftovers, say. */
  forgetCodes(): void {
    this.grants.forgetCodes();
  }

  /** A valid refresh token, as if a code had been exchanged. */
  issueRefreshToken({
    clientId = this.clients.defaultClientId,
    scope,
    publicClient = false,
  }: IssueRefreshTokenOptions = {}): string {
    this.clients.require(clientId);
    return this.grants.issueRefreshToken({ clientId, scope: normaliseScope(scope), publicClient });
  }

  /**
   * Later refresh grants with `token` fail with `invalid_grant` "Refresh token revoked".
   * @returns false when the emulator never issued `token`.
   */
  revokeRefreshToken(token: string): boolean {
    return this.grants.revokeRefreshToken(token);
  }

  /** Revokes every refresh token issued so far, e.g. the one a service under test holds sealed. */
  revokeAllRefreshTokens(): void {
    this.grants.revokeAllRefreshTokens();
  }

  /** Every access token issued so far now gets "The access token expired" from `/v1/me`. */
  expireAccessTokens(): void {
    this.grants.expireAccessTokens();
  }

  /** Applies `fault` to the next `times` requests to `/api/token`, after faults already queued. */
  injectFault(fault: EmulatorFault, times = 1): void {
    this.faults.push(fault, times);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  clearRequests(): void {
    this.recorded.length = 0;
  }

  /** Zeroes {@link connectionsAccepted}. */
  resetCounters(): void {
    this.accepted = 0;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Captured now: Node detaches the socket from the request once a closing answer is done.
    const socket = req.socket;
    this.idleCloser.busy(socket);
    res.once('finish', () => this.idleCloser.idle(socket));
    try {
      await this.route(req, res);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        // The rest of the body is still on the wire, so this connection cannot be reused.
        send(res, oauthError(413, 'invalid_request', 'Request body too large', { connection: 'close' }));
      } else {
        // The cause stays here: an error's message is no business of the client's.
        send(res, oauthError(500, 'server_error', 'The emulator could not handle the request'));
      }
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = parseTarget(req.url ?? '/');
    if (url === undefined) return send(res, oauthError(400, 'invalid_request', 'Malformed request target'));
    switch (url.pathname) {
      case '/authorize':
        if (req.method !== 'GET') return send(res, methodNotAllowed('GET'));
        return send(res, this.authorizeEndpoint.start(url.searchParams));
      case '/authorize/decision': {
        if (req.method !== 'POST') return send(res, methodNotAllowed('POST'));
        const form = parseForm(req.headers['content-type'], await readBody(req));
        return send(res, this.authorizeEndpoint.decide(form));
      }
      case '/api/token': {
        const form = await this.record(req);
        if (req.method !== 'POST') return send(res, methodNotAllowed('POST'));
        return this.answerToken(req, res, form);
      }
      case '/v1/me':
        await this.record(req);
        return send(res, meEndpoint(req.method ?? 'GET', req.headers.authorization, this.grants));
      default:
        return send(
          res,
          url.pathname.startsWith('/v1/')
            ? webApiError(404, 'Service not found')
            : oauthError(404, 'not_found', `No route for ${req.method} ${url.pathname}`),
        );
    }
  }

  private async record(req: IncomingMessage): Promise<Record<string, string>> {
    const body = await readBody(req);
    const form = parseForm(req.headers['content-type'], body);
    if (this.options.recordRequests === false) return form;
    this.recorded.push({
      method: req.method ?? '',
      path: req.url ?? '',
      headers: flattenHeaders(req.headers),
      body,
      form,
      time: this.now(),
    });
    return form;
  }

  private async answerToken(req: IncomingMessage, res: ServerResponse, form: Record<string, string>): Promise<void> {
    const fault = this.faults.next();
    if (fault?.kind === 'reset') {
      if (fault.afterGranting) this.tokenEndpoint.handle(form, req.headers.authorization);
      return resetConnection(res);
    }
    // A hung request is held until the client gives up or stop() destroys its socket.
    if (fault?.kind === 'hang') return;
    await this.delay(this.latencyMs + (fault?.kind === 'latency' ? fault.ms : 0));
    if (fault !== undefined && fault.kind !== 'latency') {
      if (!res.destroyed) writeFaultAnswer(res, fault);
      return;
    }
    // Granted even when the client has left meanwhile, as a real server would: a code is spent.
    send(res, this.tokenEndpoint.handle(form, req.headers.authorization));
  }

  private delay(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }
}
