import { unknownScopes } from '../spotify/spotify-scopes';
import { ClientRegistry } from './client-registry';
import { consentPage, errorPage } from './consent-page';
import type { EmulatorReply } from './emulator.types';
import { CODE_TTL_MS, CodeGrant, GrantStore } from './grant.store';
import { OneTimeStore } from './one-time-store';

/** Settings the emulator may change between requests. */
export interface AuthorizePolicy {
  readonly autoApprove: boolean;
}

/** A validated `/authorize` request waiting for the user's decision. */
interface PendingAuthorization extends CodeGrant {
  state?: string;
}

/** Splits on any whitespace and rejoins with single spaces, as Spotify echoes scopes back. */
export function normaliseScope(scope: string | null | undefined): string {
  return (scope ?? '').split(/\s+/).filter(Boolean).join(' ');
}

function redirectWith(redirectUri: string, params: Record<string, string | undefined>): EmulatorReply {
  const location = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) location.searchParams.set(name, value);
  }
  return { type: 'redirect', location: location.href };
}

/**
 * `GET /authorize` and the consent decision, without the socket.
 * Problems with the client or redirect URI get an error page, because redirecting to an
 * unverified URI would make the emulator an open redirector; everything else goes back to the app.
 */
export class AuthorizeEndpoint {
  // The consent page's form names its request by a random token kept here, so a decision
  // cannot be forged by a GET or by editing hidden fields.
  private readonly pending: OneTimeStore<PendingAuthorization>;

  constructor(
    private readonly clients: ClientRegistry,
    private readonly grants: GrantStore,
    private readonly policy: AuthorizePolicy,
    now: () => number,
  ) {
    this.pending = new OneTimeStore<PendingAuthorization>(CODE_TTL_MS, now);
  }

  start(query: URLSearchParams): EmulatorReply {
    const client = this.clients.find(query.get('client_id') ?? undefined);
    if (!client) return errorPage(400, 'INVALID_CLIENT: Invalid client');
    const redirectUri = query.get('redirect_uri');
    if (!redirectUri || !client.redirectUris.has(redirectUri)) {
      return errorPage(400, 'INVALID_CLIENT: Invalid redirect URI');
    }
    const scope = normaliseScope(query.get('scope'));
    // Spotify shows this page, and sends nothing back to the app, for a scope it does not know.
    if (scope !== '' && unknownScopes(scope.split(' ')).length > 0) return errorPage(400, 'Illegal scope');
    const state = query.get('state') ?? undefined;
    if (query.get('response_type') !== 'code') {
      return redirectWith(redirectUri, { error: 'unsupported_response_type', state });
    }
    const codeChallenge = query.get('code_challenge') || undefined;
    if (codeChallenge !== undefined && query.get('code_challenge_method') !== 'S256') {
      return errorPage(400, 'INVALID_REQUEST: code_challenge_method must be S256');
    }

    const request: PendingAuthorization = {
      clientId: client.clientId,
      redirectUri,
      scope,
      codeChallenge,
      state,
    };
    if (this.policy.autoApprove) return this.approve(request);
    return consentPage({
      clientId: client.clientId,
      scopes: request.scope ? request.scope.split(' ') : [],
      requestToken: this.pending.put(request),
    });
  }

  /** The consent form's POST: `request_token` and `decision` (`approve` or `deny`). */
  decide(form: Readonly<Record<string, string>>): EmulatorReply {
    const request = this.pending.take(form.request_token ?? '');
    if (!request) return errorPage(400, 'INVALID_REQUEST: Unknown or expired authorization request');
    switch (form.decision) {
      case 'approve':
        return this.approve(request);
      case 'deny':
        return redirectWith(request.redirectUri, { error: 'access_denied', state: request.state });
      default:
        return errorPage(400, 'INVALID_REQUEST: decision must be approve or deny');
    }
  }

  private approve({ state, ...grant }: PendingAuthorization): EmulatorReply {
    return redirectWith(grant.redirectUri, { code: this.grants.issueCode(grant), state });
  }
}
