import { ClientRegistry } from './client-registry';
import type { EmulatorReply } from './emulator.types';
import { CODE_TTL_MS, GrantStore } from './grant.store';
import { s256Challenge } from './pkce';
import { TokenEndpoint } from './token-endpoint';

const APP = { clientId: 'app-id', clientSecret: 'app-secret', redirectUris: ['app://callback'] };
const OTHER = { clientId: 'other-id', clientSecret: 'other-secret', redirectUris: [] };
const VERIFIER = 'v'.repeat(64);

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('TokenEndpoint', () => {
  let time: number;
  let grants: GrantStore;
  let policy: { accessTokenTtlSeconds: number; rotateRefreshTokens: boolean };
  let endpoint: TokenEndpoint;

  beforeEach(() => {
    time = 1_700_000_000_000;
    grants = new GrantStore(() => time);
    policy = { accessTokenTtlSeconds: 3600, rotateRefreshTokens: false };
    endpoint = new TokenEndpoint(new ClientRegistry([APP, OTHER]), grants, policy);
  });

  const bodyOf = (reply: EmulatorReply) => (reply.type === 'json' ? reply.body : reply);
  const codeFor = (clientId = APP.clientId, codeChallenge?: string) =>
    grants.issueCode({ clientId, redirectUri: 'app://callback', scope: 'user-read-email', codeChallenge });
  const exchange = (code: string, authorization?: string, extra: Record<string, string> = {}) =>
    endpoint.handle({ grant_type: 'authorization_code', code, redirect_uri: 'app://callback', ...extra }, authorization);

  it('answers a good exchange with no-store token JSON', () => {
    const reply = exchange(codeFor(), basic(APP.clientId, APP.clientSecret));
    expect(reply).toMatchObject({ type: 'json', status: 200, headers: { 'cache-control': 'no-store', pragma: 'no-cache' } });
    expect(bodyOf(reply)).toEqual({
      access_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      token_type: 'Bearer',
      expires_in: 3600,
      refresh_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      scope: 'user-read-email',
    });
  });

  it.each([
    ['ten minutes less a millisecond', CODE_TTL_MS - 1, 200],
    ['ten minutes', CODE_TTL_MS, 400],
  ])('accepts a code %s old: %i', (_case, age, status) => {
    const code = codeFor();
    time += age;
    expect(exchange(code, basic(APP.clientId, APP.clientSecret))).toMatchObject({ status });
  });

  it.each([
    ['no credentials at all', undefined, {}, 401, 'Invalid client'],
    ['Basic without a colon', `Basic ${Buffer.from('app-id').toString('base64')}`, {}, 400, 'Invalid client'],
    ['another scheme than Basic', 'Bearer abc', {}, 400, 'Invalid client'],
    ['an unknown client in the body', undefined, { client_id: 'nobody', client_secret: 'x' }, 400, 'Invalid client'],
    ['a wrong secret in Basic', basic(APP.clientId, 'wrong'), {}, 400, 'Invalid client secret'],
    ['a wrong secret in the body', undefined, { client_id: APP.clientId, client_secret: 'wrong' }, 400, 'Invalid client secret'],
    ['a client_id without secret or PKCE', undefined, { client_id: APP.clientId }, 401, 'Invalid client'],
  ])('refuses %s', (_case, authorization, fields, status, description) => {
    expect(exchange(codeFor(), authorization, fields)).toMatchObject({
      status,
      body: { error: 'invalid_client', error_description: description },
    });
  });

  it('refuses a code issued to another client', () => {
    expect(bodyOf(exchange(codeFor(OTHER.clientId), basic(APP.clientId, APP.clientSecret)))).toEqual({
      error: 'invalid_grant',
      error_description: 'Invalid authorization code',
    });
  });

  it('lets a PKCE public client refresh without a secret, but not a confidential client', () => {
    const publicReply = exchange(codeFor(APP.clientId, s256Challenge(VERIFIER)), undefined, {
      client_id: APP.clientId,
      code_verifier: VERIFIER,
    });
    const confidentialReply = exchange(codeFor(), basic(APP.clientId, APP.clientSecret));
    const refreshWithIdOnly = (reply: EmulatorReply) =>
      endpoint.handle(
        { grant_type: 'refresh_token', client_id: APP.clientId, refresh_token: (bodyOf(reply) as { refresh_token: string }).refresh_token },
        undefined,
      );
    expect(refreshWithIdOnly(publicReply)).toMatchObject({ status: 200 });
    expect(refreshWithIdOnly(confidentialReply)).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
  });

  it('rotates refresh tokens while the policy says so, revoking the old one', () => {
    const original = grants.issueRefreshToken({ clientId: APP.clientId, scope: 'a', publicClient: false });
    const refresh = (token: string) =>
      endpoint.handle({ grant_type: 'refresh_token', refresh_token: token }, basic(APP.clientId, APP.clientSecret));
    policy.rotateRefreshTokens = true;
    policy.accessTokenTtlSeconds = 120;
    const rotated = bodyOf(refresh(original)) as Record<string, unknown>;
    expect(rotated).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 120,
      refresh_token: expect.not.stringMatching(`^${original}$`),
      scope: 'a',
    });
    expect(bodyOf(refresh(original))).toEqual({ error: 'invalid_grant', error_description: 'Refresh token revoked' });
    expect(refresh(rotated.refresh_token as string)).toMatchObject({ status: 200 });
  });

  it('refuses client_credentials without a secret', () => {
    expect(endpoint.handle({ grant_type: 'client_credentials', client_id: APP.clientId }, undefined)).toMatchObject({
      status: 401,
      body: { error: 'invalid_client' },
    });
  });
});
