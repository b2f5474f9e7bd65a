import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import { s256Challenge } from '../src/emulator/pkce';
import { createSelfSignedCert, SelfSignedCert } from '../src/emulator/self-signed-cert';
import type { EmulatorFault, SpotifyEmulatorOptions } from '../src/emulator/emulator.types';
import { SpotifyEmulator } from '../src/emulator/spotify-emulator';
import { rawExchange } from './support/raw-http';
import { until } from './support/until';

const APP = { clientId: 'test-client', clientSecret: 'test-secret', redirectUris: ['http://127.0.0.1:9/callback'] };
const OTHER_APP = { clientId: 'other-client', clientSecret: 'other-secret', redirectUris: ['app://cb'] };
const REDIRECT_URI = APP.redirectUris[0];
const VERIFIER = 'verifier-'.repeat(6);
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded;charset=UTF-8';

const basic = (clientId = APP.clientId, secret = APP.clientSecret) =>
  `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`;

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** node:http(s) request, for what fetch cannot do: a chosen agent, a private CA, error codes. */
function rawRequest(url: string, options: https.RequestOptions & { body?: string } = {}): Promise<RawResponse> {
  const { body, ...requestOptions } = options;
  const transport = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(url, requestOptions, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Runs `test` against an emulator of its own, stopped afterwards whatever happens. */
async function withOwnEmulator(
  options: SpotifyEmulatorOptions,
  test: (emulator: SpotifyEmulator, url: string) => Promise<void>,
): Promise<void> {
  const own = new SpotifyEmulator({ clients: [APP], ...options });
  try {
    await test(own, await own.start());
  } finally {
    await own.stop();
  }
}

function rawTokenRequest(url: string, fields: Record<string, string>, options: https.RequestOptions = {}) {
  return rawRequest(`${url}/api/token`, {
    ...options,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic() },
    body: new URLSearchParams(fields).toString(),
  });
}

describe('SpotifyEmulator (e2e)', () => {
  const emulator = new SpotifyEmulator({ clients: [APP, OTHER_APP] });
  let url: string;

  beforeAll(async () => {
    url = await emulator.start();
  });

  afterAll(() => emulator.stop());

  beforeEach(() => {
    emulator.clearRequests();
    emulator.clearFaults();
    emulator.autoApprove = false;
    emulator.rotateRefreshTokens = false;
    emulator.accessTokenTtlSeconds = 3600;
  });

  /** `authorization: null` sends no Authorization header. */
  const postToken = (fields: Record<string, string>, authorization: string | null) =>
    fetch(`${url}/api/token`, {
      method: 'POST',
      headers: authorization === null ? {} : { authorization },
      body: new URLSearchParams(fields),
    });

  const authorize = (params: Record<string, string>) =>
    fetch(`${url}/authorize?${new URLSearchParams(params)}`, { redirect: 'manual' });

  const codeParams = (extra: Record<string, string> = {}) => ({
    client_id: APP.clientId,
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    scope: 'user-read-private user-read-email',
    state: 'xyz 123',
    ...extra,
  });

  const redirectParams = (response: Response) => new URL(response.headers.get('location') ?? 'about:blank').searchParams;

  const exchange = (code: string, extra: Record<string, string> = {}, authorization: string | null = basic()) =>
    postToken({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, ...extra }, authorization);

  async function tokensFor(scope = 'user-read-email'): Promise<{ access_token: string; refresh_token: string }> {
    const response = await exchange(emulator.mintCode({ clientId: APP.clientId, redirectUri: REDIRECT_URI, scope }));
    return (await response.json()) as { access_token: string; refresh_token: string };
  }

  describe('lifecycle', () => {
    it('serves plain HTTP on 127.0.0.1 at the URL start() resolved to', () => {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(emulator.url).toBe(url);
    });

    it('refuses a second start', async () => {
      await expect(emulator.start()).rejects.toThrow('SpotifyEmulator is already started');
    });

    it('has no URL before start', () => {
      expect(() => new SpotifyEmulator().url).toThrow('SpotifyEmulator is not started');
    });
  });

  describe('GET /authorize', () => {
    it.each([
      ['an unknown client', { client_id: 'nobody' }, 'INVALID_CLIENT: Invalid client'],
      ['no client', { client_id: '' }, 'INVALID_CLIENT: Invalid client'],
      ['an unregistered redirect URI', { redirect_uri: 'http://127.0.0.1:9/other' }, 'INVALID_CLIENT: Invalid redirect URI'],
      ["another client's redirect URI", { redirect_uri: 'app://cb' }, 'INVALID_CLIENT: Invalid redirect URI'],
      [
        'a challenge with method plain',
        { code_challenge: s256Challenge(VERIFIER), code_challenge_method: 'plain' },
        'INVALID_REQUEST: code_challenge_method must be S256',
      ],
    ])('answers %s with a 400 page', async (_case, extra, message) => {
      const response = await authorize(codeParams(extra));
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await response.text()).toContain(`<p>${message}</p>`);
    });

    it('redirects an unsupported response_type back with the error and the state', async () => {
      const response = await authorize(codeParams({ response_type: 'token' }));
      expect(response.status).toBe(302);
      expect(response.headers.get('location')).toBe(`${REDIRECT_URI}?error=unsupported_response_type&state=xyz+123`);
    });

    it('redirects straight back with a working code when auto-approving', async () => {
      emulator.autoApprove = true;
      const response = await authorize(codeParams());
      expect(response.status).toBe(302);
      const params = redirectParams(response);
      expect(response.headers.get('location')).toMatch(new RegExp(`^${REDIRECT_URI}\\?code=`));
      expect(params.get('state')).toBe('xyz 123');
      const tokens = await exchange(params.get('code') ?? '');
      expect(tokens.status).toBe(200);
      expect(await tokens.json()).toMatchObject({ scope: 'user-read-private user-read-email' });
    });

    it('leaves state out of the redirect when the request had none', async () => {
      emulator.autoApprove = true;
      const { state: _omitted, ...withoutState } = codeParams();
      const params = redirectParams(await authorize(withoutState));
      expect([...params.keys()]).toEqual(['code']);
    });

    it('accepts a redirect URI registered after start', async () => {
      const uri = 'http://127.0.0.1:4321/callback';
      expect((await authorize(codeParams({ redirect_uri: uri }))).status).toBe(400);
      emulator.registerRedirectUri(APP.clientId, uri);
      expect((await authorize(codeParams({ redirect_uri: uri }))).status).toBe(200);
    });
  });

  describe('consent page', () => {
    async function showConsent(extra: Record<string, string> = {}) {
      const response = await authorize(codeParams(extra));
      const html = await response.text();
      return { response, html, requestToken: /name="request_token" value="([^"]+)"/.exec(html)?.[1] ?? '' };
    }

    const decide = (requestToken: string, decision: string) =>
      fetch(`${url}/authorize/decision`, {
        method: 'POST',
        body: new URLSearchParams({ request_token: requestToken, decision }),
        redirect: 'manual',
      });

    it('shows the client, the scopes and the Approve and Deny buttons, locked down by CSP', async () => {
      const { response, html, requestToken } = await showConsent();
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('content-security-policy')).toMatch(/^default-src 'none'; style-src 'sha256-/);
      expect(html).toContain('<code>test-client</code> wants to access your account');
      expect(html).toContain('<li><code>user-read-private</code></li><li><code>user-read-email</code></li>');
      expect(html).toMatch(/<button [^>]*id="approve">Approve<\/button>/);
      expect(html).toMatch(/<button [^>]*id="deny">Deny<\/button>/);
      expect(requestToken).toMatch(TOKEN_PATTERN);
    });

    it('redirects Approve with a code that exchanges for the requested scopes, and the state', async () => {
      const { requestToken } = await showConsent({ code_challenge: s256Challenge(VERIFIER), code_challenge_method: 'S256' });
      const response = await decide(requestToken, 'approve');
      expect(response.status).toBe(302);
      const params = redirectParams(response);
      expect(params.get('state')).toBe('xyz 123');
      const tokens = await exchange(params.get('code') ?? '', { client_id: APP.clientId, code_verifier: VERIFIER }, null);
      expect(await tokens.json()).toMatchObject({ token_type: 'Bearer', scope: 'user-read-private user-read-email' });
    });

    it('redirects Deny with access_denied and the state', async () => {
      const { requestToken } = await showConsent();
      const response = await decide(requestToken, 'deny');
      expect(response.status).toBe(302);
      expect(response.headers.get('location')).toBe(`${REDIRECT_URI}?error=access_denied&state=xyz+123`);
    });

    it('takes one decision per page and refuses a forged token', async () => {
      const { requestToken } = await showConsent();
      expect((await decide(requestToken, 'approve')).status).toBe(302);
      for (const token of [requestToken, 'forged']) {
        const again = await decide(token, 'approve');
        expect(again.status).toBe(400);
        expect(await again.text()).toContain('Unknown or expired authorization request');
      }
    });

    it('does not take a decision by GET', async () => {
      const { requestToken } = await showConsent();
      const response = await fetch(`${url}/authorize/decision?request_token=${requestToken}&decision=approve`, {
        redirect: 'manual',
      });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
    });
  });

  describe('POST /api/token, authorization_code', () => {
    it('exchanges a code for token JSON and records what it received', async () => {
      const code = emulator.mintCode({ clientId: APP.clientId, redirectUri: REDIRECT_URI, scope: 'user-read-email streaming' });
      const response = await exchange(code);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(await response.json()).toEqual({
        access_token: expect.stringMatching(TOKEN_PATTERN),
        token_type: 'Bearer',
        expires_in: 3600,
        refresh_token: expect.stringMatching(TOKEN_PATTERN),
        scope: 'user-read-email streaming',
      });
      expect(emulator.requests).toEqual([
        {
          method: 'POST',
          path: '/api/token',
          headers: expect.objectContaining({ authorization: basic(), 'content-type': FORM_CONTENT_TYPE }),
          body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI }).toString(),
          form: { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI },
          time: expect.any(Number),
        },
      ]);
      expect(Math.abs(emulator.requests[0].time - Date.now())).toBeLessThan(5000);
    });

    it('accepts client_id and client_secret in the body instead of Basic', async () => {
      const code = emulator.mintCode({ clientId: APP.clientId, redirectUri: REDIRECT_URI });
      const response = await exchange(code, { client_id: APP.clientId, client_secret: APP.clientSecret }, null);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ token_type: 'Bearer', scope: '' });
    });

    it('accepts a code once', async () => {
      const code = emulator.mintCode({ redirectUri: REDIRECT_URI, clientId: APP.clientId });
      expect((await exchange(code)).status).toBe(200);
      const second = await exchange(code);
      expect(second.status).toBe(400);
      expect(await second.json()).toEqual({ error: 'invalid_grant', error_description: 'Invalid authorization code' });
    });

    it.each([
      ['a different redirect_uri', { redirect_uri: 'http://127.0.0.1:9/other' }],
      ['no redirect_uri', { redirect_uri: '' }],
    ])('refuses %s', async (_case, extra) => {
      const response = await exchange(emulator.mintCode({ clientId: APP.clientId, redirectUri: REDIRECT_URI }), extra);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: 'invalid_grant', error_description: 'Invalid redirect URI' });
    });

    it.each([
      ['the right verifier and no secret', { client_id: APP.clientId, code_verifier: VERIFIER }, null, 200, undefined],
      ['the right verifier and Basic', { code_verifier: VERIFIER }, basic(), 200, undefined],
      ['a wrong verifier', { client_id: APP.clientId, code_verifier: 'w'.repeat(43) }, null, 400, 'code_verifier was incorrect'],
      ['no verifier', {}, basic(), 400, 'code_verifier was incorrect'],
    ])('with PKCE, answers %s with %i', async (_case, extra, authorization, status, description) => {
      const code = emulator.mintCode({ clientId: APP.clientId, redirectUri: REDIRECT_URI, codeChallenge: s256Challenge(VERIFIER) });
      const response = await exchange(code, extra, authorization);
      expect(response.status).toBe(status);
      const body = (await response.json()) as Record<string, unknown>;
      if (description === undefined) expect(body.access_token).toMatch(TOKEN_PATTERN);
      else expect(body).toEqual({ error: 'invalid_grant', error_description: description });
    });

    it.each([
      ['a wrong secret', basic(APP.clientId, 'wrong'), {}, 400, 'Invalid client secret'],
      ['an unknown client', basic('nobody', 'x'), {}, 400, 'Invalid client'],
      ['no client authentication', null, {}, 401, 'Invalid client'],
      ['a client_id without secret or PKCE', null, { client_id: APP.clientId }, 401, 'Invalid client'],
    ])('refuses %s', async (_case, authorization, extra, status, description) => {
      const response = await exchange(emulator.mintCode({ clientId: APP.clientId, redirectUri: REDIRECT_URI }), extra, authorization);
      expect(response.status).toBe(status);
      expect(await response.json()).toEqual({ error: 'invalid_client', error_description: description });
    });
  });

  describe('POST /api/token, grant types and body format', () => {
    it.each([
      ['no grant_type', {}, 'grant_type parameter is missing'],
      ['an unknown grant_type', { grant_type: 'password' }, 'grant_type must be client_credentials, authorization_code or refresh_token'],
    ])('answers %s with unsupported_grant_type', async (_case, fields, description) => {
      const response = await postToken(fields, basic());
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: 'unsupported_grant_type', error_description: description });
    });

    it('reads no JSON body, like Spotify, so grant_type is missing', async () => {
      const json = JSON.stringify({ grant_type: 'client_credentials' });
      const response = await fetch(`${url}/api/token`, {
        method: 'POST',
        headers: { authorization: basic(), 'content-type': 'application/json' },
        body: json,
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: 'unsupported_grant_type', error_description: 'grant_type parameter is missing' });
      expect(emulator.requests[0]).toMatchObject({ body: json, form: {} });
    });

    it('issues a client_credentials token without refresh token or scope', async () => {
      const response = await postToken({ grant_type: 'client_credentials' }, basic());
      expect(await response.json()).toEqual({ access_token: expect.stringMatching(TOKEN_PATTERN), token_type: 'Bearer', expires_in: 3600 });
    });

    it('refuses a body over 64 KiB with 413', async () => {
      const response = await postToken({ grant_type: 'client_credentials', padding: 'x'.repeat(70_000) }, basic());
      expect(response.status).toBe(413);
      expect(await response.json()).toEqual({ error: 'invalid_request', error_description: 'Request body too large' });
    });

    it('knows the default client when none is configured', async () => {
      const offline = new SpotifyEmulator();
      try {
        const base = await offline.start();
        const code = offline.mintCode({ redirectUri: REDIRECT_URI });
        const response = await fetch(`${base}/api/token`, {
          method: 'POST',
          headers: { authorization: basic('emulator-client-id', 'emulator-client-secret') },
          body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI }),
        });
        expect(response.status).toBe(200);
      } finally {
        await offline.stop();
      }
    });

    it('answers GET with 405', async () => {
      const response = await fetch(`${url}/api/token`);
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
    });
  });

  describe('POST /api/token, refresh_token', () => {
    const refresh = (refreshToken: string, authorization = basic()) =>
      postToken({ grant_type: 'refresh_token', refresh_token: refreshToken }, authorization);

    it('refreshes without handing out a new refresh token, as often as asked', async () => {
      const { refresh_token } = await tokensFor('user-read-email');
      emulator.accessTokenTtlSeconds = 120;
      for (let i = 0; i < 2; i += 1) {
        const response = await refresh(refresh_token);
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({
          access_token: expect.stringMatching(TOKEN_PATTERN),
          token_type: 'Bearer',
          expires_in: 120,
          scope: 'user-read-email',
        });
      }
    });

    it('rotates when asked: a new refresh token, and the old one is revoked', async () => {
      const { refresh_token: original } = await tokensFor();
      emulator.rotateRefreshTokens = true;
      const rotated = (await (await refresh(original)).json()) as { refresh_token: string };
      expect(rotated.refresh_token).toMatch(TOKEN_PATTERN);
      expect(rotated.refresh_token).not.toBe(original);
      expect(await (await refresh(original)).json()).toEqual({ error: 'invalid_grant', error_description: 'Refresh token revoked' });
      expect((await refresh(rotated.refresh_token)).status).toBe(200);
    });

    it.each([
      [
        'a revoked token',
        (token: string) => {
          expect(emulator.revokeRefreshToken(token)).toBe(true);
          return refresh(token);
        },
        'invalid_grant',
        'Refresh token revoked',
      ],
      ['an unknown token', () => refresh('not-a-token'), 'invalid_grant', 'Invalid refresh token'],
      ["another client's token", (token: string) => refresh(token, basic(OTHER_APP.clientId, OTHER_APP.clientSecret)), 'invalid_grant', 'Invalid refresh token'],
      ['no token', () => postToken({ grant_type: 'refresh_token' }, basic()), 'invalid_request', 'refresh_token must be supplied'],
    ])('refuses %s with 400', async (_case, send, error, description) => {
      const { refresh_token } = await tokensFor();
      const response = await send(refresh_token);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error, error_description: description });
    });

    it('revokes every token at once, and says whether a single token was known', async () => {
      const { refresh_token } = await tokensFor();
      expect(emulator.revokeRefreshToken('never-issued')).toBe(false);
      emulator.revokeAllRefreshTokens();
      expect(await (await refresh(refresh_token)).json()).toEqual({ error: 'invalid_grant', error_description: 'Refresh token revoked' });
    });

    it('refreshes a token made by issueRefreshToken', async () => {
      const token = emulator.issueRefreshToken({ clientId: APP.clientId, scope: 'streaming' });
      expect(await (await refresh(token)).json()).toMatchObject({ scope: 'streaming' });
    });
  });

  describe('GET /v1/me', () => {
    const me = (authorization?: string) =>
      fetch(`${url}/v1/me`, { headers: authorization === undefined ? {} : { authorization } });

    it('answers the profile for a live access token, with CORS', async () => {
      const { access_token } = await tokensFor();
      const response = await me(`Bearer ${access_token}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      expect(await response.json()).toEqual({
        id: 'emulator-user',
        display_name: 'Emulator User',
        email: 'user@example.com',
        country: 'SE',
        product: 'premium',
        type: 'user',
        uri: 'spotify:user:emulator-user',
      });
      expect(emulator.requests.at(-1)).toMatchObject({ method: 'GET', path: '/v1/me', headers: { authorization: `Bearer ${access_token}` } });
    });

    it.each([
      ['no token', undefined, 'No token provided'],
      ['an unknown token', 'Bearer forged', 'Invalid access token'],
      ['a Basic header', basic(), 'No token provided'],
    ])('answers %s with 401', async (_case, authorization, message) => {
      const response = await me(authorization);
      expect(response.status).toBe(401);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      expect(await response.json()).toEqual({ error: { status: 401, message } });
    });

    it('says when a token has expired', async () => {
      const { access_token } = await tokensFor();
      emulator.expireAccessTokens();
      const response = await me(`Bearer ${access_token}`);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
      expect(await response.json()).toEqual({ error: { status: 401, message: 'The access token expired' } });
    });

    it('answers a CORS preflight that asks for Authorization', async () => {
      const response = await fetch(`${url}/v1/me`, {
        method: 'OPTIONS',
        headers: { origin: 'http://127.0.0.1:5000', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
      });
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      expect(response.headers.get('access-control-allow-headers')).toBe('Authorization');
      expect(response.headers.get('access-control-allow-methods')).toBe('GET, OPTIONS');
    });
  });

  describe('unknown routes', () => {
    it.each([
      ['/nowhere', { error: 'not_found', error_description: 'No route for GET /nowhere' }],
      ['/v1/tracks', { error: { status: 404, message: 'Service not found' } }],
    ])('answer %s with 404 JSON', async (path, body) => {
      const response = await fetch(`${url}${path}`);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(await response.json()).toEqual(body);
    });
  });

  it.each(['http://[', '//[/x', 'http://a:99999/authorize'])('answers a malformed request target (%s) with 400 JSON, not a 500', async (target) => {
    const answer = await rawExchange(url, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain('{"error":"invalid_request","error_description":"Malformed request target"}');
  });

  it('keeps no requests when told not to, as a long-running emulator must not', () =>
    withOwnEmulator({ recordRequests: false }, async (own, base) => {
      const response = await rawTokenRequest(base, { grant_type: 'client_credentials' });
      expect(response.status).toBe(200);
      expect(own.requests).toEqual([]);
    }));

  describe('faults on /api/token', () => {
    const clientCredentials = () => postToken({ grant_type: 'client_credentials' }, basic());

    it.each<[string, EmulatorFault, number, string | null, string]>([
      ['a 503 HTML page', { kind: 'status', status: 503, body: '<html>down</html>' }, 503, 'text/html; charset=utf-8', '<html>down</html>'],
      ['an empty 502', { kind: 'status', status: 502 }, 502, null, ''],
      ['a 500 of a chosen type', { kind: 'status', status: 500, body: 'oops', contentType: 'text/plain' }, 500, 'text/plain', 'oops'],
      ['a 200 HTML page', { kind: 'non-json' }, 200, 'text/html; charset=utf-8', '<html><body><h1>Upstream maintenance</h1></body></html>'],
      ['200 JSON without a token', { kind: 'garbage-json' }, 200, 'application/json', '{"foo":1}'],
      ['a Web API shaped 429', { kind: 'rate-limit', retryAfterSeconds: 7 }, 429, 'application/json', '{"error":{"status":429,"message":"API rate limit exceeded"}}'],
    ])('answers once with %s, then normally', async (_case, fault, status, contentType, body) => {
      emulator.injectFault(fault);
      const faulted = await clientCredentials();
      expect(faulted.status).toBe(status);
      expect(faulted.headers.get('content-type')).toBe(contentType);
      expect(await faulted.text()).toBe(body);
      expect((await clientCredentials()).status).toBe(200);
      expect(emulator.requests).toHaveLength(2);
    });

    it('sends Retry-After with a rate limit', async () => {
      emulator.injectFault({ kind: 'rate-limit', retryAfterSeconds: 7 });
      expect((await clientCredentials()).headers.get('retry-after')).toBe('7');
    });

    it('faults as many requests as asked, in order, and forgets the rest on clearFaults', async () => {
      emulator.injectFault({ kind: 'status', status: 500 }, 2);
      emulator.injectFault({ kind: 'status', status: 503 });
      emulator.injectFault({ kind: 'status', status: 502 });
      const statuses = [];
      for (let i = 0; i < 3; i += 1) statuses.push((await clientCredentials()).status);
      emulator.clearFaults();
      statuses.push((await clientCredentials()).status);
      expect(statuses).toEqual([500, 500, 503, 200]);
    });

    it('delays the answer on a latency fault', async () => {
      emulator.injectFault({ kind: 'latency', ms: 150 });
      const started = Date.now();
      const response = await clientCredentials();
      expect(Date.now() - started).toBeGreaterThanOrEqual(145);
      expect(response.status).toBe(200);
    });

    it('delays every answer by latencyMs', async () => {
      emulator.latencyMs = 100;
      try {
        const started = Date.now();
        expect((await clientCredentials()).status).toBe(200);
        expect(Date.now() - started).toBeGreaterThanOrEqual(95);
      } finally {
        emulator.latencyMs = 0;
      }
    });

    it('promises more than it sends on a truncated answer, then closes', async () => {
      emulator.injectFault({ kind: 'truncated' });
      const response = await clientCredentials();
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(Number(response.headers.get('content-length'))).toBeGreaterThan(100);
      await expect(response.text()).rejects.toThrow('terminated');
    });

    it('resets the connection without answering', async () => {
      emulator.injectFault({ kind: 'reset' });
      await expect(rawTokenRequest(url, { grant_type: 'client_credentials' }, { agent: false })).rejects.toMatchObject({
        code: 'ECONNRESET',
      });
      expect(emulator.requests).toHaveLength(1);
    });

    it('never answers on a hang', async () => {
      emulator.injectFault({ kind: 'hang' });
      await expect(
        fetch(`${url}/api/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials' }), signal: AbortSignal.timeout(300) }),
      ).rejects.toMatchObject({ name: 'TimeoutError' });
      expect(emulator.requests).toHaveLength(1);
    });
  });

  describe('connections', () => {
    // An emulator of its own: fetch's pool (undici) may open connections to the shared one at any time.
    it('counts one connection for two requests on one keep-alive socket', () =>
      withOwnEmulator({}, async (own, base) => {
        const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
        for (let i = 0; i < 2; i += 1) {
          const response = await rawTokenRequest(base, { grant_type: 'client_credentials' }, { agent });
          expect([response.status, response.headers['keep-alive']]).toEqual([200, 'timeout=5']);
        }
        expect(own.connectionsAccepted).toBe(1);
        own.resetCounters();
        expect(own.connectionsAccepted).toBe(0);
        agent.destroy();
      }));

    it('closes a keep-alive socket idle for keepAliveTimeoutMs since its last answer', () =>
      withOwnEmulator({ keepAliveTimeoutMs: 1000 }, async (own, base) => {
        const socket = net.connect(Number(new URL(base).port), '127.0.0.1');
        // A close that comes as a reset (the second question arriving too late) fails the counts below.
        socket.on('error', () => undefined);
        try {
          const nextAnswer = () => new Promise<number>((resolve) => socket.once('data', () => resolve(Date.now())));
          const ask = () => socket.write('GET /v1/me HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
          const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())));
          ask();
          await nextAnswer();
          // Well inside the limit, however busy the machine: the idle clock restarts at the second answer.
          await new Promise((resolve) => setTimeout(resolve, 100));
          const second = nextAnswer();
          ask();
          const idleFor = (await closed) - (await second);
          // The advertised limit, counted from the last answer, not Node's own timer, which fires a second late.
          expect(idleFor).toBeGreaterThanOrEqual(950);
          expect(idleFor).toBeLessThan(1700);
          expect(own.connectionsAccepted).toBe(1);
          expect(own.requests).toHaveLength(2);
        } finally {
          socket.destroy();
        }
      }));

    it('stops at once while a hang fault holds a socket, failing the hung request', () =>
      withOwnEmulator({}, async (own, base) => {
        own.injectFault({ kind: 'hang' });
        const outcome = rawTokenRequest(base, { grant_type: 'client_credentials' }, { agent: false }).then(
          () => 'answered',
          (error: NodeJS.ErrnoException) => error.code,
        );
        await until('the hung request to reach the emulator', () => own.requests.length > 0);
        const started = Date.now();
        await own.stop();
        expect(Date.now() - started).toBeLessThan(2000);
        expect(await outcome).toBe('ECONNRESET');
        await expect(fetch(`${base}/api/token`, { method: 'POST' })).rejects.toThrow('fetch failed');
      }));
  });

  describe('HTTPS', () => {
    let pair: SelfSignedCert;

    beforeAll(() => {
      pair = createSelfSignedCert();
    });

    it('serves HTTPS with the given certificate, counting TLS connections like TCP ones', () =>
      withOwnEmulator({ tls: pair }, async (own, base) => {
        expect(base).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
        const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca: pair.cert });
        const code = own.mintCode({ clientId: APP.clientId, redirectUri: REDIRECT_URI });
        const exchanged = await rawTokenRequest(base, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI }, { agent });
        const { refresh_token } = JSON.parse(exchanged.body) as { refresh_token: string };
        const refreshed = await rawTokenRequest(base, { grant_type: 'refresh_token', refresh_token }, { agent });
        expect([exchanged.status, refreshed.status]).toEqual([200, 200]);
        expect(own.connectionsAccepted).toBe(1);
        agent.destroy();
      }));

    it('drops the connection on a reset fault', () =>
      withOwnEmulator({ tls: pair }, async (own, base) => {
        own.injectFault({ kind: 'reset' });
        await expect(rawTokenRequest(base, { grant_type: 'client_credentials' }, { ca: pair.cert, agent: false })).rejects.toMatchObject({
          code: 'ECONNRESET',
        });
      }));

    it('is refused by a client that does not trust the certificate', () =>
      withOwnEmulator({ tls: pair }, async (_own, base) => {
        await expect(rawTokenRequest(base, { grant_type: 'client_credentials' }, { agent: false })).rejects.toMatchObject({
          code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
        });
      }));
  });
});
