import request from 'supertest';
import { RawEnvironment } from '../src/config/environment';
import { CryptoService } from '../src/crypto/crypto.service';
import { Sealer } from '../src/crypto/sealer';
import { SpotifyEmulator } from '../src/emulator/spotify-emulator';
import { parseSession, serializeSession, Session } from '../src/session/session';
import { CookieJar, isDeletion, SetCookie, setCookiesOf } from './support/cookie-jar';
import { startEmulator, tokenRequests } from './support/emulator';
import { LogCapture } from './support/log-capture';
import { approveAutomatically, BrowserLogin, decideAtConsentPage, landingResult, locationOf } from './support/login-flow';
import { later, serviceEnvironment, startTestApp, TEST_CLIENT, TEST_SECRET, TestApp } from './support/test-app';
import { counterGains, counterValues } from './support/metrics';
import { expectNoStore } from './support/no-store';
import { flipByte } from './support/sealed-text';

const REDIRECT_URI = 'https://swap.example.com/callback';
const FINAL_URI = 'https://app.example.com/logged-in';
const OTHER_FINAL_URI = 'https://app.example.com/other?mode=web';
const APP_ORIGIN = 'https://app.example.com';
const SESSION_COOKIE = 'spotify_session';
const SECURE_SESSION_COOKIE = '__Host-spotify_session';
const THIRTY_DAYS_S = 30 * 86_400;
const OLD_SECRET = 'the-secret-being-retired-0123456789abcdef';
const NEW_SECRET = 'the-secret-taking-over-0123456789abcdefgh';

function sessionEnvironment(accountsUrl: string, overrides: RawEnvironment = {}): RawEnvironment {
  return serviceEnvironment(accountsUrl, {
    REDIRECT_URI,
    FINAL_URI: `${FINAL_URI},${OTHER_FINAL_URI}`,
    BROWSER_MODE: 'session',
    CORS_ORIGINS: APP_ORIGIN,
    ...overrides,
  });
}

/** What a page's fetch sends: the cookie jar's cookies and the CSRF header. */
function fetchToken(service: TestApp, jar: CookieJar, headers: Record<string, string> = { 'X-Requested-With': 'fetch' }) {
  return request(service.url).get('/token').set('Cookie', jar.header()).set(headers);
}

function postLogout(service: TestApp, jar: CookieJar, headers: Record<string, string> = { 'X-Requested-With': 'fetch' }) {
  return request(service.url).post('/logout').set('Cookie', jar.header()).set(headers);
}

/** The one `Set-Cookie` line for `name`, or `undefined` when the answer does not touch it. */
function cookieLine(response: request.Response, name = SESSION_COOKIE): SetCookie | undefined {
  const lines = setCookiesOf(response.headers).filter((cookie) => cookie.name === name);
  expect(lines.length).toBeLessThanOrEqual(1);
  return lines[0];
}

function openSession(service: TestApp, sealed: string): Session | undefined {
  const opened = service.app.get(CryptoService, { strict: false }).open('session', sealed);
  return opened === undefined ? undefined : parseSession(opened.value);
}

function refreshGrants(emulator: SpotifyEmulator) {
  return tokenRequests(emulator).filter((received) => received.form.grant_type === 'refresh_token');
}

async function webApiUser(emulator: SpotifyEmulator, accessToken: string): Promise<number> {
  return (await fetch(`${emulator.url}/v1/me`, { headers: { Authorization: `Bearer ${accessToken}` } })).status;
}

function expectNoCors(response: request.Response): void {
  expect(Object.keys(response.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
}

/** A browser that logged in through `service` in session mode; its jar holds the session cookie. */
async function loggedIn(service: TestApp, query: Record<string, string> = {}): Promise<BrowserLogin> {
  const login = new BrowserLogin(service.url);
  const response = await login.run(query);
  expect(landingResult(locationOf(response))).toEqual({ login: 'ok' });
  return login;
}

describe('Session mode (BROWSER_MODE=session)', () => {
  let emulator: SpotifyEmulator;
  let service: TestApp;

  beforeAll(async () => {
    emulator = await startEmulator({ autoApprove: true });
    emulator.registerRedirectUri(TEST_CLIENT.clientId, REDIRECT_URI);
    service = await startTestApp(sessionEnvironment(emulator.url));
  });

  afterAll(async () => {
    await service.close();
    await emulator.stop();
  });

  beforeEach(() => {
    emulator.autoApprove = true;
    emulator.rotateRefreshTokens = false;
    emulator.accessTokenTtlSeconds = 3600;
    emulator.latencyMs = 0;
    emulator.clearFaults();
    emulator.clearRequests();
  });

  describe('/callback', () => {
    it('lands on FINAL_URI with login=ok and no token, and seals the tokens into an HttpOnly cookie', async () => {
      const login = new BrowserLogin(service.url);
      const response = await login.run();

      expect(response.status).toBe(302);
      expectNoStore(response);
      const landing = locationOf(response);
      expect(landing.href).toBe(`${FINAL_URI}#login=ok`);

      const cookie = cookieLine(response) as SetCookie;
      expect(cookie.attributes).toEqual({ 'max-age': String(THIRTY_DAYS_S), path: '/', expires: expect.any(String), httponly: true, samesite: 'Lax' });
      expect(Date.parse(cookie.attributes.expires as string) - Date.now()).toBeGreaterThan((THIRTY_DAYS_S - 10) * 1000);
      const session = openSession(service, cookie.value) as Session;
      expect(session).toEqual({
        refresh_token: expect.any(String),
        access_token: expect.any(String),
        expires_at: expect.any(Number),
        scope: 'user-read-private user-read-email',
        renewed_at: expect.any(Number),
      });
      expect(session.expires_at - Date.now()).toBeGreaterThan(3590_000);
      expect(Date.now() - (session.renewed_at as number)).toBeLessThan(10_000);
      for (const token of [session.access_token, session.refresh_token]) {
        expect(response.headers.location).not.toContain(token);
        expect(cookie.value).not.toContain(token);
      }
      const stateLines = setCookiesOf(response.headers).filter((line) => line.name.startsWith('spotify_auth_state_'));
      expect(stateLines.map(isDeletion)).toEqual([true]);
    });

    it('with TOKEN_DELIVERY=query, return_to and SESSION_MAX_AGE_DAYS: login=ok in the query, the cookie as long as asked', async () => {
      const other = await startTestApp(sessionEnvironment(emulator.url, { TOKEN_DELIVERY: 'query', SESSION_MAX_AGE_DAYS: '7' }));
      try {
        const response = await new BrowserLogin(other.url).run({ return_to: OTHER_FINAL_URI });
        expect(locationOf(response).href).toBe(`${OTHER_FINAL_URI}&login=ok`);
        expect(cookieLine(response)?.attributes['max-age']).toBe(String(7 * 86_400));
      } finally {
        await other.close();
      }
    });

    it('a failed login lands with error= exactly as in tokens mode, and sets no session', async () => {
      emulator.autoApprove = false;
      const login = new BrowserLogin(service.url);
      const spotifyRedirect = await decideAtConsentPage(locationOf(await login.start()), 'deny');
      const response = await login.callback(spotifyRedirect);
      expect(locationOf(response).href).toBe(`${FINAL_URI}#error=access_denied`);
      expect(cookieLine(response)).toBeUndefined();
    });

    it('a code exchange answered without a refresh_token lands with error=upstream_error and sets no session: nothing to keep', async () => {
      emulator.injectFault({
        kind: 'status',
        status: 200,
        body: JSON.stringify({ access_token: 'BQ-access-only', token_type: 'Bearer', expires_in: 3600, scope: 'user-read-private' }),
        contentType: 'application/json',
      });
      const response = await new BrowserLogin(service.url).run();
      expect(locationOf(response).href).toBe(`${FINAL_URI}#error=upstream_error`);
      expect(cookieLine(response)).toBeUndefined();
      expect(response.headers.location).not.toContain('BQ-access-only');
    });
  });

  describe('GET /token', () => {
    it('answers an access token that the Web API accepts, and nothing that outlives it', async () => {
      const login = await loggedIn(service);
      const session = openSession(service, login.jar.get(SESSION_COOKIE) as string) as Session;
      emulator.clearRequests();

      const response = await fetchToken(service, login.jar);

      expect(response.status).toBe(200);
      expectNoStore(response);
      expect(response.body).toEqual({
        access_token: session.access_token,
        token_type: 'Bearer',
        expires_in: expect.any(Number),
        scope: 'user-read-private user-read-email',
      });
      expect(response.body.expires_in).toBeGreaterThan(3590);
      expect(response.body.expires_in).toBeLessThanOrEqual(3600);
      expect(response.text).not.toContain(session.refresh_token);
      expect(cookieLine(response)).toBeUndefined();
      expect(await webApiUser(emulator, response.body.access_token)).toBe(200);
    });

    it('within the token\'s life, answers again without calling Spotify', async () => {
      const login = await loggedIn(service);
      emulator.clearRequests();
      const first = await fetchToken(service, login.jar);
      const second = await fetchToken(service, login.jar);
      expect(second.body.access_token).toBe(first.body.access_token);
      expect(tokenRequests(emulator)).toHaveLength(0);
    });

    it.each<[string, number, boolean]>([
      ['61 s left: from the cookie', 61_000, false],
      ['59 s left: refreshed', 59_000, true],
    ])('an access token with %s', async (_case, left, refreshed) => {
      const login = await loggedIn(service);
      const session = openSession(service, login.jar.get(SESSION_COOKIE) as string) as Session;
      emulator.clearRequests();
      // Counted from the session's own expiry, so time spent logging in does not eat the margin.
      const response = await later(service, session.expires_at - left - Date.now(), () => fetchToken(service, login.jar));
      expect(response.status).toBe(200);
      expect(refreshGrants(emulator)).toHaveLength(refreshed ? 1 : 0);
      expect(cookieLine(response) !== undefined).toBe(refreshed);
    });

    it('refreshes an expiring token once, re-sets the cookie, then answers from the new cookie', async () => {
      emulator.accessTokenTtlSeconds = 30;
      const login = await loggedIn(service);
      const before = openSession(service, login.jar.get(SESSION_COOKIE) as string) as Session;
      emulator.accessTokenTtlSeconds = 3600;
      emulator.clearRequests();

      const refreshed = await fetchToken(service, login.jar);
      expect(refreshed.status).toBe(200);
      expect(refreshed.body.access_token).not.toBe(before.access_token);
      expect(refreshed.body.expires_in).toBeGreaterThan(3590);
      expect(refreshGrants(emulator).map((received) => received.form.refresh_token)).toEqual([before.refresh_token]);
      const cookie = cookieLine(refreshed) as SetCookie;
      expect(cookie.attributes).toMatchObject({ 'max-age': String(THIRTY_DAYS_S), path: '/', httponly: true, samesite: 'Lax' });
      expect(openSession(service, cookie.value)).toMatchObject({ access_token: refreshed.body.access_token, refresh_token: before.refresh_token });

      login.jar.store(refreshed.headers);
      const again = await fetchToken(service, login.jar);
      expect(again.body.access_token).toBe(refreshed.body.access_token);
      expect(refreshGrants(emulator)).toHaveLength(1);
      expect(await webApiUser(emulator, again.body.access_token)).toBe(200);
    });

    it('keeps the refresh token Spotify rotated, and the replaced one stops working', async () => {
      emulator.rotateRefreshTokens = true;
      emulator.accessTokenTtlSeconds = 30;
      const login = await loggedIn(service);
      const original = login.jar.copy();
      const before = openSession(service, original.get(SESSION_COOKIE) as string) as Session;

      const refreshed = await fetchToken(service, login.jar);
      login.jar.store(refreshed.headers);
      const rotated = openSession(service, login.jar.get(SESSION_COOKIE) as string) as Session;
      expect(rotated.refresh_token).not.toBe(before.refresh_token);

      // Once the grace period for late tabs is over, the next refresh must use the rotated token.
      const next = await later(service, 60_000, () => fetchToken(service, login.jar));
      expect(next.status).toBe(200);
      expect(refreshGrants(emulator).map((received) => received.form.refresh_token)).toEqual([before.refresh_token, rotated.refresh_token]);
      const stale = await later(service, 60_000, () => fetchToken(service, original));
      expect(stale.status).toBe(401);
      expect(stale.body.error).toBe('invalid_grant');
    });

    it('several tabs at once with a rotating refresh token: all succeed on one refresh, a late tab too', async () => {
      emulator.rotateRefreshTokens = true;
      emulator.accessTokenTtlSeconds = 30;
      const login = await loggedIn(service);
      emulator.accessTokenTtlSeconds = 3600;
      emulator.latencyMs = 100;
      emulator.clearRequests();

      const tabs = await Promise.all([1, 2, 3, 4, 5].map(() => fetchToken(service, login.jar)));
      expect(tabs.map((tab) => tab.status)).toEqual([200, 200, 200, 200, 200]);
      expect(new Set(tabs.map((tab) => tab.body.access_token)).size).toBe(1);
      expect(refreshGrants(emulator)).toHaveLength(1);
      const renewed = tabs.map((tab) => openSession(service, cookieLine(tab)?.value as string)?.refresh_token);
      expect(new Set(renewed).size).toBe(1);

      // This tab's request left with the old cookie before any new one was stored.
      const late = await fetchToken(service, login.jar);
      expect(late.status).toBe(200);
      expect(late.body.access_token).toBe(tabs[0].body.access_token);
      expect(refreshGrants(emulator)).toHaveLength(1);
    });

    it('ends a session that went SESSION_MAX_AGE_DAYS without a refresh, copies of its cookie included', async () => {
      const login = await loggedIn(service);
      emulator.clearRequests();
      const response = await later(service, THIRTY_DAYS_S * 1000 + 60_000, () => fetchToken(service, login.jar));
      expect(response.status).toBe(401);
      expect(response.body.error).toBe('invalid_token');
      expect(isDeletion(cookieLine(response) as SetCookie)).toBe(true);
      expect(refreshGrants(emulator)).toHaveLength(0);
    });

    it('counts a session\'s life from its last refresh', async () => {
      const login = await loggedIn(service);
      // Day 29: the access token is long dead, so /token refreshes, which renews the session.
      const renewed = await later(service, 29 * 86_400_000, () => fetchToken(service, login.jar));
      expect(refreshGrants(emulator)).toHaveLength(1);
      login.jar.store(renewed.headers);
      // Day 31: past the login's thirty days, well within the renewal's.
      expect((await later(service, 31 * 86_400_000, () => fetchToken(service, login.jar))).status).toBe(200);
    });

    it('a refresh token Spotify revoked → 401 invalid_grant, and the cookie is cleared', async () => {
      emulator.accessTokenTtlSeconds = 30;
      const login = await loggedIn(service);
      emulator.revokeAllRefreshTokens();

      const response = await fetchToken(service, login.jar);
      expect(response.status).toBe(401);
      expectNoStore(response);
      expect(response.body).toEqual({ error: 'invalid_grant', error_description: 'Spotify no longer accepts this session: log in again at /login' });
      const cleared = cookieLine(response) as SetCookie;
      expect(isDeletion(cleared)).toBe(true);
      expect(cleared.attributes).toMatchObject({ path: '/', httponly: true, samesite: 'Lax' });
    });

    it('Spotify failing during a refresh → 502 upstream_error; the cookie is kept for the next try', async () => {
      emulator.accessTokenTtlSeconds = 30;
      const login = await loggedIn(service);
      emulator.injectFault({ kind: 'status', status: 503, body: '<html>down</html>', contentType: 'text/html' });

      const failed = await fetchToken(service, login.jar);
      expect(failed.status).toBe(502);
      expect(failed.body.error).toBe('upstream_error');
      expect(cookieLine(failed)).toBeUndefined();
      expect((await fetchToken(service, login.jar)).status).toBe(200);
    });

    it("Spotify refusing this service's own request (a wrong CLIENT_SECRET) → 502 upstream_error, never a 401 that reads as logged out; the cookie is kept", async () => {
      emulator.accessTokenTtlSeconds = 30;
      const login = await loggedIn(service);
      // The same deployment after a deploy that broke its client secret.
      const misconfigured = await startTestApp(sessionEnvironment(emulator.url, { CLIENT_SECRET: 'a-wrong-client-secret' }));
      try {
        const refused = await fetchToken(misconfigured, login.jar);
        expect(refused.status).toBe(502);
        expect(refused.body).toEqual({ error: 'upstream_error', error_description: "Spotify Accounts refused this service's request; the session is kept: retry later" });
        expect(cookieLine(refused)).toBeUndefined();
        expect(await counterValues(misconfigured.url, 'session_failures_total')).toEqual({ upstream: 1 });
        expect(await counterValues(misconfigured.url, 'spotify_oauth_errors_total')).toEqual({ invalid_client: 1 });
      } finally {
        await misconfigured.close();
      }
      expect((await fetchToken(service, login.jar)).status).toBe(200);
    });

    describe('a cookie this deployment did not seal → 401 invalid_token, never a 5xx, Spotify never called', () => {
      const sealedWith = (secret: string, clientId: string, purpose: string, plaintext: string) =>
        new Sealer(purpose, clientId, secret).seal(plaintext);
      const someSession = (): Session => ({ refresh_token: 'r', access_token: 'a', expires_at: Date.now() + 3_600_000, scope: '' });

      it.each<[string, (sealed: string) => string]>([
        ['ciphertext flipped', (sealed) => flipByte(sealed, 30)],
        ['tag flipped', (sealed) => flipByte(sealed, -1)],
        ['key id flipped', (sealed) => flipByte(sealed, 2)],
        ['truncated', (sealed) => sealed.slice(0, -12)],
        ['truncated to its header', (sealed) => sealed.slice(0, 8)],
        ['not base64url', (sealed) => `${sealed.slice(0, 20)}*${sealed.slice(21)}`],
        ['another deployment\'s (another ENCRYPTION_SECRET)', () => sealedWith('another-deployment-secret-0123456789', TEST_CLIENT.clientId, 'session', serializeSession(someSession()))],
        ['another Spotify app\'s (another CLIENT_ID)', () => sealedWith(TEST_SECRET, 'another-client-id', 'session', serializeSession(someSession()))],
        ['a refresh token sealed for /refresh', () => sealedWith(TEST_SECRET, TEST_CLIENT.clientId, 'refresh-token', 'AQD-refresh-token')],
        ['a login state cookie', () => sealedWith(TEST_SECRET, TEST_CLIENT.clientId, 'state', '{"nonce":"n","codeVerifier":"v","issuedAt":0}')],
        ['sealed, but not a session', () => sealedWith(TEST_SECRET, TEST_CLIENT.clientId, 'session', '{"refresh_token":"r"}')],
        ['a cookie-parser JSON cookie', () => 'j:{"refresh_token":"r","access_token":"a","expires_at":1,"scope":""}'],
        ['far too long', () => 'A'.repeat(9000)],
      ])('%s', async (_case, meddle) => {
        const login = await loggedIn(service);
        login.jar.set(SESSION_COOKIE, meddle(login.jar.get(SESSION_COOKIE) as string));
        emulator.clearRequests();

        const response = await fetchToken(service, login.jar);
        expect(response.status).toBe(401);
        expectNoStore(response);
        expect(response.body).toEqual({ error: 'invalid_token', error_description: 'No valid session: log in at /login' });
        expect(isDeletion(cookieLine(response) as SetCookie)).toBe(true);
        expect(emulator.requests).toHaveLength(0);
      });

      it('no cookie at all: 401 invalid_token, and nothing to clear', async () => {
        const response = await fetchToken(service, new CookieJar());
        expect(response.status).toBe(401);
        expect(response.body.error).toBe('invalid_token');
        expect(cookieLine(response)).toBeUndefined();
      });

      it('and the other way round: a session cookie posted to /refresh is invalid_grant', async () => {
        const login = await loggedIn(service);
        const response = await request(service.url).post('/refresh').type('form').send({ refresh_token: login.jar.get(SESSION_COOKIE) as string });
        expect(response.status).toBe(400);
        expect(response.body.error).toBe('invalid_grant');
      });
    });
  });

  describe('CSRF defence and CORS', () => {
    it.each([
      ['GET /token', fetchToken],
      ['POST /logout', postLogout],
    ])('%s without X-Requested-With → 403 invalid_request; the session is untouched', async (_route, call) => {
      const login = await loggedIn(service);
      emulator.clearRequests();
      const response = await call(service, login.jar, {});
      expect(response.status).toBe(403);
      expect(response.body).toEqual({
        error: 'invalid_request',
        error_description: 'X-Requested-With header is required (any value): send it with fetch',
      });
      expect(cookieLine(response)).toBeUndefined();
      expect(emulator.requests).toHaveLength(0);
      expect((await fetchToken(service, login.jar)).status).toBe(200);
    });

    it.each([
      ['GET /token', 'https://evil.example.com', fetchToken],
      ['POST /logout', 'https://evil.example.com', postLogout],
      ['GET /token', 'null', fetchToken],
      ['GET /token', 'http://app.example.com', fetchToken],
    ])('%s from Origin %s → 403 invalid_request and no CORS headers', async (_route, origin, call) => {
      const login = await loggedIn(service);
      const response = await call(service, login.jar, { 'X-Requested-With': 'fetch', Origin: origin });
      expect(response.status).toBe(403);
      expect(response.body.error).toBe('invalid_request');
      expect(response.body.error_description).toContain('Origin is not allowed');
      expectNoCors(response);
      expect(cookieLine(response)).toBeUndefined();
    });

    it('its own origin passes, with no CORS headers needed', async () => {
      const login = await loggedIn(service);
      const response = await fetchToken(service, login.jar, { 'X-Requested-With': 'fetch', Origin: service.url });
      expect(response.status).toBe(200);
      expectNoCors(response);
    });

    it('an origin on CORS_ORIGINS gets CORS with credentials: the exact origin, Vary: Origin', async () => {
      const login = await loggedIn(service);
      for (const [call, status] of [[fetchToken, 200], [postLogout, 204]] as const) {
        const response = await call(service, login.jar, { 'X-Requested-With': 'fetch', Origin: APP_ORIGIN });
        expect(response.status).toBe(status);
        expect(response.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
        expect(response.headers['access-control-allow-credentials']).toBe('true');
        // A page reads these only when exposed: how long to wait after a 429, and the id to report.
        expect(response.headers['access-control-expose-headers']).toBe('Retry-After,X-Request-Id');
        expect(response.headers.vary).toMatch(/\bOrigin\b/);
      }
    });

    it.each(['/token', '/logout'])('answers the preflight for %s from CORS_ORIGINS only', async (path) => {
      const preflight = (origin: string) =>
        request(service.url)
          .options(path)
          .set('Origin', origin)
          .set('Access-Control-Request-Method', path === '/token' ? 'GET' : 'POST')
          .set('Access-Control-Request-Headers', 'x-requested-with');
      const allowed = await preflight(APP_ORIGIN);
      expect(allowed.status).toBe(204);
      expect(allowed.headers).toMatchObject({
        'access-control-allow-origin': APP_ORIGIN,
        'access-control-allow-credentials': 'true',
        'access-control-allow-methods': 'GET,POST',
      });
      expect(allowed.headers['access-control-allow-headers']).toMatch(/X-Requested-With/i);
      expect(allowed.headers.vary).toMatch(/\bOrigin\b/);
      // Refused as the call itself would be, rather than a 404 from no OPTIONS route, and counted.
      const before = await counterValues(service.url, 'session_failures_total');
      const refused = await preflight('https://evil.example.com');
      expect(counterGains(before, await counterValues(service.url, 'session_failures_total'))).toEqual({ csrf_origin: 1 });
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual({ error: 'invalid_request', error_description: expect.stringContaining('Origin is not allowed') });
      expectNoCors(refused);
    });

    it.each<[string, RawEnvironment, number]>([
      ['with TRUST_PROXY, the origin the proxy serves is its own', { TRUST_PROXY: '1' }, 200],
      ['without TRUST_PROXY, a client cannot claim it', {}, 403],
    ])('behind a TLS proxy: %s', async (_case, overrides, status) => {
      const proxied = await startTestApp(sessionEnvironment(emulator.url, overrides));
      try {
        const login = await loggedIn(proxied);
        // Over HTTPS the browser would hold the __Host- cookie; without TRUST_PROXY it is plain http.
        const jar = new CookieJar().set(status === 200 ? SECURE_SESSION_COOKIE : SESSION_COOKIE, login.jar.get(SESSION_COOKIE) as string);
        const response = await fetchToken(proxied, jar, {
          'X-Requested-With': 'fetch',
          Origin: 'https://swap.example.com',
          'X-Forwarded-Proto': 'https',
          'X-Forwarded-Host': 'swap.example.com',
        });
        expect(response.status).toBe(status);
      } finally {
        await proxied.close();
      }
    });
  });

  describe('over HTTPS (behind a proxy with TRUST_PROXY)', () => {
    it('names the cookie __Host-spotify_session, Secure, and only that name opens the session', async () => {
      const proxied = await startTestApp(sessionEnvironment(emulator.url, { TRUST_PROXY: '1' }));
      try {
        const https = { 'X-Forwarded-Proto': 'https' };
        const login = new BrowserLogin(proxied.url);
        const spotifyRedirect = await approveAutomatically(locationOf(await login.start({}, https)));
        const finished = await login.callback(spotifyRedirect, undefined, https);
        expect(cookieLine(finished)).toBeUndefined();
        const cookie = cookieLine(finished, SECURE_SESSION_COOKIE) as SetCookie;
        expect(cookie.attributes).toEqual({ 'max-age': String(THIRTY_DAYS_S), path: '/', expires: expect.any(String), httponly: true, secure: true, samesite: 'Lax' });

        const secureJar = new CookieJar().set(SECURE_SESSION_COOKIE, cookie.value);
        expect((await fetchToken(proxied, secureJar, { 'X-Requested-With': 'fetch', ...https })).status).toBe(200);
        // A plain-named cookie over HTTPS could have been planted from an http page: not read.
        const plainJar = new CookieJar().set(SESSION_COOKIE, cookie.value);
        expect((await fetchToken(proxied, plainJar, { 'X-Requested-With': 'fetch', ...https })).status).toBe(401);

        const loggedOut = await postLogout(proxied, secureJar, { 'X-Requested-With': 'fetch', ...https });
        const cleared = cookieLine(loggedOut, SECURE_SESSION_COOKIE) as SetCookie;
        expect(isDeletion(cleared)).toBe(true);
        expect(cleared.attributes).toMatchObject({ path: '/', secure: true, httponly: true });
      } finally {
        await proxied.close();
      }
    });
  });

  describe('POST /logout', () => {
    it('answers 204 and clears the cookie; /token then answers 401', async () => {
      const login = await loggedIn(service);
      const response = await postLogout(service, login.jar);
      expect(response.status).toBe(204);
      expect(response.text).toBe('');
      expect(response.headers['cache-control']).toBe('no-store');
      const cleared = cookieLine(response) as SetCookie;
      expect(isDeletion(cleared)).toBe(true);
      expect(cleared.attributes).toMatchObject({ path: '/', httponly: true, samesite: 'Lax' });

      login.jar.store(response.headers);
      expect(login.jar.get(SESSION_COOKIE)).toBeUndefined();
      const after = await fetchToken(service, login.jar);
      expect(after.status).toBe(401);
      expect(after.body.error).toBe('invalid_token');
    });

    it('answers 204 without a session too', async () => {
      expect((await postLogout(service, new CookieJar())).status).toBe(204);
    });

    it('a GET never logs out: 404, the cookie stays', async () => {
      const login = await loggedIn(service);
      const response = await request(service.url).get('/logout').set('Cookie', login.jar.header()).set('X-Requested-With', 'fetch');
      expect(response.status).toBe(404);
      expect(response.body).toEqual({ error: 'not_found', error_description: 'No such route' });
      expect(cookieLine(response)).toBeUndefined();
    });
  });

  describe('no server-side memory', () => {
    it('login on one instance, /token on another that shares ENCRYPTION_SECRET', async () => {
      const second = await startTestApp(sessionEnvironment(emulator.url));
      try {
        const login = await loggedIn(service);
        const response = await fetchToken(second, login.jar);
        expect(response.status).toBe(200);
        expect(await webApiUser(emulator, response.body.access_token)).toBe(200);
      } finally {
        await second.close();
      }
    });

    it('a cookie sealed under a previous secret works, and comes back resealed under the current one', async () => {
      const before = await startTestApp(sessionEnvironment(emulator.url, { ENCRYPTION_SECRET: OLD_SECRET }));
      const rotating = await startTestApp(sessionEnvironment(emulator.url, { ENCRYPTION_SECRET: NEW_SECRET, ENCRYPTION_SECRET_PREVIOUS: OLD_SECRET }));
      const after = await startTestApp(sessionEnvironment(emulator.url, { ENCRYPTION_SECRET: NEW_SECRET }));
      try {
        const login = await loggedIn(before);
        const old = login.jar.copy();
        emulator.clearRequests();

        const response = await fetchToken(rotating, login.jar);
        expect(response.status).toBe(200);
        expect(tokenRequests(emulator)).toHaveLength(0);
        const resealed = cookieLine(response) as SetCookie;
        expect(resealed.attributes['max-age']).toBe(String(THIRTY_DAYS_S));
        expect(openSession(rotating, resealed.value)?.access_token).toBe(response.body.access_token);

        login.jar.store(response.headers);
        expect((await fetchToken(after, login.jar)).status).toBe(200);
        expect((await fetchToken(after, old)).status).toBe(401);
        // Once resealed, the answer needs no further Set-Cookie.
        expect(cookieLine(await fetchToken(rotating, login.jar))).toBeUndefined();
      } finally {
        await Promise.all([before.close(), rotating.close(), after.close()]);
      }
    });
  });

  describe('rate limit', () => {
    it('answers from the cookie without limit; refreshes spend the per-IP budget', async () => {
      const limited = await startTestApp(sessionEnvironment(emulator.url, { RATE_LIMIT_PER_MINUTE: '4' }));
      try {
        const login = await loggedIn(limited); // /login and /callback: 2 of 4
        for (let call = 0; call < 10; call += 1) expect((await fetchToken(limited, login.jar)).status).toBe(200);
        const refreshAt = async (hours: number) => {
          const response = await later(limited, hours * 3_600_000, () => fetchToken(limited, login.jar));
          login.jar.store(response.headers);
          return response;
        };
        expect((await refreshAt(1)).status).toBe(200); // 3 of 4
        expect((await refreshAt(2)).status).toBe(200); // 4 of 4
        const refused = await refreshAt(3);
        expect(refused.status).toBe(429);
        expect(refused.body.error).toBe('slow_down');
        expect(refused.headers['retry-after']).toMatch(/^[1-9]\d*$/);
      } finally {
        await limited.close();
      }
    });
  });

  describe('metrics', () => {
    it('counts /token answers by source and session failures by reason', async () => {
      const counted = await startTestApp(sessionEnvironment(emulator.url));
      try {
        emulator.accessTokenTtlSeconds = 30;
        const login = await loggedIn(counted);
        emulator.accessTokenTtlSeconds = 3600;
        const refreshed = await fetchToken(counted, login.jar);
        login.jar.store(refreshed.headers);
        await fetchToken(counted, login.jar);
        await fetchToken(counted, new CookieJar());
        await fetchToken(counted, new CookieJar().set(SESSION_COOKIE, 'forged'));
        await fetchToken(counted, login.jar, {});
        await fetchToken(counted, login.jar, { 'X-Requested-With': 'fetch', Origin: 'https://evil.example.com' });
        emulator.injectFault({ kind: 'status', status: 500 });
        await later(counted, 3_600_000, () => fetchToken(counted, login.jar));
        emulator.revokeAllRefreshTokens();
        await later(counted, 3_600_000, () => fetchToken(counted, login.jar));

        expect(await counterValues(counted.url, 'session_token_answers_total')).toEqual({ cache: 1, refreshed: 1 });
        expect(await counterValues(counted.url, 'session_failures_total')).toEqual({
          missing: 1,
          invalid: 1,
          revoked: 1,
          csrf_header: 1,
          csrf_origin: 1,
          upstream: 1,
        });
      } finally {
        await counted.close();
      }
    });
  });

  describe('logs', () => {
    it('at trace level, never hold a token or the session cookie', async () => {
      const logs = new LogCapture();
      const traced = await startTestApp(sessionEnvironment(emulator.url, { LOG_LEVEL: 'trace' }), { logDestination: logs });
      try {
        emulator.accessTokenTtlSeconds = 30;
        const login = await loggedIn(traced);
        const secrets = [login.jar.get(SESSION_COOKIE) as string];
        const first = openSession(traced, secrets[0]) as Session;
        const refreshed = await fetchToken(traced, login.jar);
        login.jar.store(refreshed.headers);
        secrets.push(first.access_token, first.refresh_token, refreshed.body.access_token, login.jar.get(SESSION_COOKIE) as string);
        await fetchToken(traced, new CookieJar().set(SESSION_COOKIE, `${secrets[0].slice(0, -4)}AAAA`));
        emulator.revokeAllRefreshTokens();
        await later(traced, 3_600_000, () => fetchToken(traced, login.jar));
        await postLogout(traced, login.jar);

        expect(logs.accessEntries.length).toBeGreaterThan(4);
        for (const secret of secrets) expect(logs.text()).not.toContain(secret);
      } finally {
        await traced.close();
      }
    });

    it('name an Origin they refused, so a page CORS_ORIGINS misses can be found', async () => {
      const logs = new LogCapture();
      const logged = await startTestApp(sessionEnvironment(emulator.url, { LOG_LEVEL: 'info' }), { logDestination: logs });
      try {
        const login = await loggedIn(logged);
        // What a browser sends first from such a page, and what a script could send without asking.
        const preflight = await request(logged.url)
          .options('/token')
          .set('Origin', 'https://www.app.example.com')
          .set('Access-Control-Request-Method', 'GET')
          .set('Access-Control-Request-Headers', 'x-requested-with');
        expect(preflight.status).toBe(403);
        const refused = await fetchToken(logged, login.jar, { 'X-Requested-With': 'fetch', Origin: 'https://www.app.example.com' });
        expect(refused.status).toBe(403);
        expect(await fetchToken(logged, login.jar, {}).then((response) => response.status)).toBe(403);

        const warnings = logs.entries.filter((entry) => entry.level === 40);
        const refusal = expect.objectContaining({
          error: 'invalid_request',
          detail: `Origin "https://www.app.example.com" is neither this service's own ("${new URL(logged.url).origin}") nor one of CORS_ORIGINS`,
        });
        expect(warnings).toEqual([refusal, refusal]);
      } finally {
        await logged.close();
      }
    });
  });

  describe('tokens mode (the default) is unchanged', () => {
    let tokensMode: TestApp;

    beforeAll(async () => {
      tokensMode = await startTestApp(serviceEnvironment(emulator.url, { REDIRECT_URI, FINAL_URI, CORS_ORIGINS: APP_ORIGIN }));
    });
    afterAll(() => tokensMode.close());

    it('/callback hands the tokens to FINAL_URI and sets no session cookie', async () => {
      const response = await new BrowserLogin(tokensMode.url).run();
      expect(Object.keys(landingResult(locationOf(response))).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type']);
      expect(cookieLine(response)).toBeUndefined();
    });

    it.each([
      ['GET', '/token'],
      ['POST', '/logout'],
    ])('%s %s answers 501 naming the setting that turns it on', async (method, path) => {
      const response = await request(tokensMode.url)[method === 'GET' ? 'get' : 'post'](path).set('X-Requested-With', 'fetch');
      expect(response.status).toBe(501);
      expect(response.body).toEqual({ error: 'server_error', error_description: 'Session mode is not configured on this server: set BROWSER_MODE=session' });
    });
  });
});
