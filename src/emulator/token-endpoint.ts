import { ClientRegistry, RegisteredClient, secretMatches } from './client-registry';
import type { EmulatorReply } from './emulator.types';
import { GrantStore } from './grant.store';
import { verifierMatchesChallenge } from './pkce';

/** Settings the emulator may change between requests. */
export interface TokenPolicy {
  readonly accessTokenTtlSeconds: number;
  readonly rotateRefreshTokens: boolean;
}

type Form = Readonly<Record<string, string>>;

/** Spotify's answer to a failed token request; thrown inside the endpoint, rendered once. */
class TokenRequestError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
  }
}

const invalidGrant = (description: string) => new TokenRequestError(400, 'invalid_grant', description);
// No credentials at all is 401 (RFC 6749 §5.2); credentials that are wrong are 400, like Spotify.
const missingClient = () => new TokenRequestError(401, 'invalid_client', 'Invalid client');
const unknownClient = () => new TokenRequestError(400, 'invalid_client', 'Invalid client');

interface AuthenticatedClient {
  client: RegisteredClient;
  /** False for a PKCE public client that sent only its client_id. */
  confidential: boolean;
}

/**
 * `POST /api/token` without the socket: form fields and Authorization header in, reply out.
 * Spotify reads only form-urlencoded bodies, so a JSON body arrives here as an empty form and
 * gets Spotify's own answer, "grant_type parameter is missing".
 */
export class TokenEndpoint {
  constructor(
    private readonly clients: ClientRegistry,
    private readonly grants: GrantStore,
    private readonly policy: TokenPolicy,
  ) {}

  handle(form: Form, authorization: string | undefined): EmulatorReply {
    try {
      return this.reply(200, this.grant(form, authorization));
    } catch (error) {
      if (!(error instanceof TokenRequestError)) throw error;
      return this.reply(error.status, { error: error.error, error_description: error.description });
    }
  }

  private grant(form: Form, authorization: string | undefined): Record<string, unknown> {
    const grantType = form.grant_type;
    if (!grantType) {
      throw new TokenRequestError(400, 'unsupported_grant_type', 'grant_type parameter is missing');
    }
    switch (grantType) {
      case 'authorization_code':
        return this.exchangeCode(form, this.authenticate(form, authorization));
      case 'refresh_token':
        return this.refresh(form, this.authenticate(form, authorization));
      case 'client_credentials':
        return this.clientCredentials(this.authenticate(form, authorization));
      default:
        throw new TokenRequestError(
          400,
          'unsupported_grant_type',
          'grant_type must be client_credentials, authorization_code or refresh_token',
        );
    }
  }

  /** Basic `base64(id:secret)` first, then `client_id`/`client_secret` in the body. */
  private authenticate(form: Form, authorization: string | undefined): AuthenticatedClient {
    let clientId = form.client_id;
    let secret = form.client_secret;
    if (authorization !== undefined) {
      const match = /^Basic\s+(\S+)$/i.exec(authorization);
      const decoded = match ? Buffer.from(match[1], 'base64').toString('utf8') : '';
      const colon = decoded.indexOf(':');
      if (colon < 0) throw unknownClient();
      clientId = decoded.slice(0, colon);
      secret = decoded.slice(colon + 1);
    }
    if (!clientId) throw missingClient();
    const client = this.clients.find(clientId);
    if (!client) throw unknownClient();
    if (secret === undefined) return { client, confidential: false };
    if (!secretMatches(client, secret)) {
      throw new TokenRequestError(400, 'invalid_client', 'Invalid client secret');
    }
    return { client, confidential: true };
  }

  // A failed attempt burns the code too: a code is good for one try, like a real one-time password.
  private exchangeCode(form: Form, { client, confidential }: AuthenticatedClient) {
    const grant = this.grants.redeemCode(form.code ?? '');
    if (!grant || grant.clientId !== client.clientId) throw invalidGrant('Invalid authorization code');
    if (form.redirect_uri !== grant.redirectUri) throw invalidGrant('Invalid redirect URI');
    if (grant.codeChallenge !== undefined) {
      if (!verifierMatchesChallenge(grant.codeChallenge, form.code_verifier)) {
        throw invalidGrant('code_verifier was incorrect');
      }
    } else if (!confidential) {
      throw missingClient();
    }
    return {
      ...this.bearer(),
      refresh_token: this.grants.issueRefreshToken({
        clientId: client.clientId,
        scope: grant.scope,
        publicClient: !confidential,
      }),
      scope: grant.scope,
    };
  }

  private refresh(form: Form, { client, confidential }: AuthenticatedClient) {
    const token = form.refresh_token;
    if (!token) throw new TokenRequestError(400, 'invalid_request', 'refresh_token must be supplied');
    const grant = this.grants.findRefreshToken(token);
    if (!grant || grant.clientId !== client.clientId) throw invalidGrant('Invalid refresh token');
    if (!confidential && !grant.publicClient) throw missingClient();
    if (grant.revoked) throw invalidGrant('Refresh token revoked');

    let rotated: string | undefined;
    if (this.policy.rotateRefreshTokens) {
      this.grants.revokeRefreshToken(token);
      rotated = this.grants.issueRefreshToken({
        clientId: grant.clientId,
        scope: grant.scope,
        publicClient: grant.publicClient,
      });
    }
    return {
      ...this.bearer(),
      ...(rotated === undefined ? {} : { refresh_token: rotated }),
      scope: grant.scope,
    };
  }

  private clientCredentials({ confidential }: AuthenticatedClient) {
    if (!confidential) throw missingClient();
    return this.bearer();
  }

  /** A fresh access token with its type and lifetime, the part every grant answers with. */
  private bearer() {
    const ttl = this.policy.accessTokenTtlSeconds;
    return { access_token: this.grants.issueAccessToken(ttl), token_type: 'Bearer', expires_in: ttl };
  }

  private reply(status: number, body: unknown): EmulatorReply {
    return {
      type: 'json',
      status,
      body,
      headers: { 'cache-control': 'no-store', pragma: 'no-cache' },
    };
  }
}
