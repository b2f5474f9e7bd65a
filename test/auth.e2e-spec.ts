import { createHash, randomBytes } from 'node:crypto';
import request from 'supertest';
import { EmulatorFault } from '../src/emulator/emulator.types';
import { SpotifyEmulator } from '../src/emulator/spotify-emulator';
import { RawEnvironment } from '../src/config/environment';
import { isDeletion, setCookiesOf } from './support/cookie-jar';
import { startEmulator, tokenRequests } from './support/emulator';
import { approveAutomatically, BrowserLogin, decideAtConsentPage, landingResult, locationOf } from './support/login-flow';
import { later, serviceEnvironment, startTestApp, TEST_CLIENT, TEST_SECRET, TestApp } from './support/test-app';
import { counterGains, counterValues } from './support/metrics';
import { expectNoStore } from './support/no-store';
import { flipByte } from './support/sealed-text';

const REDIRECT_URI = 'https://swap.example.com/callback';
const FINAL_URI = 'https://app.example.com/logged-in';
const OTHER_FINAL_URI = 'https://app.example.com/other?mode=web';
const STATE_COOKIE = 'spotify_auth_state';
const BASIC = `Basic ${Buffer.from(`${TEST_CLIENT.clientId}:${TEST_CLIENT.clientSecret}`).toString('base64')}`;
const BASE64URL_256_BITS = /^[A-Za-z0-9_-]{43}$/;

const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

function browserEnvironment(accountsUrl: string, overrides: RawEnvironment = {}): RawEnvironment {
  return serviceEnvironment(accountsUrl, { REDIRECT_URI, FINAL_URI: `${FINAL_URI},${OTHER_FINAL_URI}`, ...overrides });
}

/** The one login state cookie a response sets or clears: STATEKEY, `_`, the first 8 characters of the login's state. */
function stateCookieOf(response: request.Response, prefix = STATE_COOKIE) {
  const cookies = setCookiesOf(response.headers).filter((cookie) => cookie.name.startsWith(`${prefix}_`));
  expect(cookies).toHaveLength(1);
  return cookies[0];
}

/** The name of the one login state cookie in a browser's jar. */
function stateCookieIn(login: BrowserLogin, prefix = STATE_COOKIE): string {
  const names = login.jar.names().filter((name) => name.startsWith(`${prefix}_`));
  expect(names).toHaveLength(1);
  return names[0];
}

/** Every /callback outcome: a 302 that is never cached and leaks no Referer. */
function expectLanding(response: request.Response): URL {
  expect(response.status).toBe(302);
  expectNoStore(response);
  expect(response.headers['referrer-policy']).toBe('no-referrer');
  return locationOf(response);
}

/** The outcome of a /callback whose state names a login: that login's cookie is cleared. */
function expectFinishedCallback(response: request.Response, cookieName = STATE_COOKIE): URL {
  const landing = expectLanding(response);
  expect(isDeletion(stateCookieOf(response, cookieName))).toBe(true);
  return landing;
}

/** A failed /callback lands on `page` with `error` and nothing else. */
function expectLandingError(response: request.Response, error: string, page = FINAL_URI): void {
  const landing = expectFinishedCallback(response);
  expect(`${landing.origin}${landing.pathname}${landing.search}`).toBe(page);
  expect(landingResult(landing)).toEqual({ error });
}

describe('Browser login (/login, /callback)', () => {
  let emulator: SpotifyEmulator;
  let service: TestApp;
  let queryService: TestApp;
  const browser = () => new BrowserLogin(service.url);

  beforeAll(async () => {
    emulator = await startEmulator({ autoApprove: true });
    emulator.registerRedirectUri(TEST_CLIENT.clientId, REDIRECT_URI);
    service = await startTestApp(browserEnvironment(emulator.url));
    queryService = await startTestApp(
      browserEnvironment(emulator.url, { TOKEN_DELIVERY: 'query', STATEKEY: 'login_state', SCOPES: 'streaming, user-top-read' }),
    );
  });

  afterAll(async () => {
    await service.close();
    await queryService.close();
    await emulator.stop();
  });

  beforeEach(() => {
    emulator.autoApprove = true;
    emulator.clearFaults();
    emulator.clearRequests();
  });

  describe('GET /login', () => {
    it('sends the browser to Spotify\'s /authorize with PKCE S256 and sets the state cookie', async () => {
      const response = await browser().start();

      expect(response.status).toBe(302);
      expectNoStore(response);
      const authorize = locationOf(response);
      expect(`${authorize.origin}${authorize.pathname}`).toBe(`${emulator.url}/authorize`);
      expect(Object.fromEntries(authorize.searchParams)).toEqual({
        response_type: 'code',
        client_id: TEST_CLIENT.clientId,
        scope: 'user-read-private user-read-email',
        redirect_uri: REDIRECT_URI,
        state: expect.stringMatching(BASE64URL_256_BITS),
        code_challenge_method: 'S256',
        code_challenge: expect.stringMatching(BASE64URL_256_BITS),
      });

      const cookie = stateCookieOf(response);
      expect(cookie.attributes).toEqual({ 'max-age': '660', path: '/', expires: expect.any(String), httponly: true, samesite: 'Lax' });
      expect(Date.parse(cookie.attributes.expires as string) - Date.now()).toBeGreaterThan(590_000);
      // Sealed: neither the nonce nor anything else readable travels in the clear.
      expect(cookie.value).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(cookie.value).not.toContain(authorize.searchParams.get('state'));
      expect(Buffer.from(cookie.value, 'base64url').toString('latin1')).not.toMatch(/nonce|codeVerifier/);
      expect(tokenRequests(emulator)).toHaveLength(0);
    });

    it('uses a fresh nonce and PKCE verifier for every login', async () => {
      const [first, second] = [locationOf(await browser().start()), locationOf(await browser().start())];
      expect(first.searchParams.get('state')).not.toBe(second.searchParams.get('state'));
      expect(first.searchParams.get('code_challenge')).not.toBe(second.searchParams.get('code_challenge'));
    });

    it.each<[string, Record<string, string>, string, string | null]>([
      ['default scopes (SCOPES unset)', {}, 'user-read-private user-read-email', null],
      ['requested scopes', { scope: 'streaming user-top-read' }, 'streaming user-top-read', null],
      ['comma-separated scopes', { scope: 'streaming,user-top-read' }, 'streaming user-top-read', null],
      ['an empty scope: none, never more than the page asked for', { scope: '' }, '', null],
      ['show_dialog=true', { show_dialog: 'true' }, 'user-read-private user-read-email', 'true'],
      ['show_dialog=false', { show_dialog: 'false' }, 'user-read-private user-read-email', null],
    ])('%s', async (_case, query, scope, showDialog) => {
      const authorize = locationOf(await browser().start(query));
      expect(authorize.searchParams.get('scope')).toBe(scope);
      expect(authorize.searchParams.get('show_dialog')).toBe(showDialog);
    });

    it('asks for SCOPES when the request names none', async () => {
      const authorize = locationOf(await new BrowserLogin(queryService.url).start());
      expect(authorize.searchParams.get('scope')).toBe('streaming user-top-read');
    });

    const NOT_LISTED = 'return_to is not one of the pages listed in FINAL_URI';

    it.each<[string, string, string, string]>([
      ['an unknown scope', 'scope=user-read-private%20playlist-delete', 'invalid_scope', 'Unknown Spotify scope: playlist-delete'],
      ['scope given twice', 'scope=streaming&scope=user-top-read', 'invalid_request', 'scope must be given once'],
      ['show_dialog=yes', 'show_dialog=yes', 'invalid_request', 'show_dialog must be true or false'],
      ['return_to on another origin', `return_to=${encodeURIComponent('https://evil.example/logged-in')}`, 'invalid_request', NOT_LISTED],
      ['return_to over http', `return_to=${encodeURIComponent('http://app.example.com/logged-in')}`, 'invalid_request', NOT_LISTED],
      ['return_to on another port', `return_to=${encodeURIComponent('https://app.example.com:8443/logged-in')}`, 'invalid_request', NOT_LISTED],
      ['return_to on a sibling host', `return_to=${encodeURIComponent('https://app.example.com.evil.example/logged-in')}`, 'invalid_request', NOT_LISTED],
      ['return_to below a listed path', `return_to=${encodeURIComponent('https://app.example.com/logged-in/more')}`, 'invalid_request', NOT_LISTED],
      ['return_to a prefix of a listed path', `return_to=${encodeURIComponent('https://app.example.com/logged')}`, 'invalid_request', NOT_LISTED],
      ['return_to with a trailing slash', `return_to=${encodeURIComponent('https://app.example.com/logged-in/')}`, 'invalid_request', NOT_LISTED],
      ['return_to with a fragment', `return_to=${encodeURIComponent('https://app.example.com/logged-in#x')}`, 'invalid_request', 'return_to must not have a #fragment'],
      ['return_to with credentials', `return_to=${encodeURIComponent('https://user:pw@app.example.com/logged-in')}`, 'invalid_request', 'return_to must be an absolute URL listed in FINAL_URI'],
      ['a relative return_to', `return_to=${encodeURIComponent('/logged-in')}`, 'invalid_request', 'return_to must be an absolute URL listed in FINAL_URI'],
      ['a protocol-relative return_to', `return_to=${encodeURIComponent('//evil.example/logged-in')}`, 'invalid_request', 'return_to must be an absolute URL listed in FINAL_URI'],
      ['a javascript: return_to', `return_to=${encodeURIComponent('javascript:alert(1)//app.example.com/logged-in')}`, 'invalid_request', NOT_LISTED],
      ['return_to given twice', `return_to=${encodeURIComponent(FINAL_URI)}&return_to=${encodeURIComponent(FINAL_URI)}`, 'invalid_request', 'return_to must be given once'],
      ['return_to over 2000 characters', `return_to=${encodeURIComponent(`${FINAL_URI}?q=${'a'.repeat(2000)}`)}`, 'invalid_request', 'return_to must be at most 2000 characters'],
      ['return_to that grows past 2000 characters once URL-encoded', `return_to=${encodeURIComponent(`${FINAL_URI}?q=${'é'.repeat(1900)}`)}`, 'invalid_request', 'return_to must be at most 2000 characters once URL-encoded'],
      ['return_to whose backslashes double it past 2000 characters', `return_to=${encodeURIComponent(`${FINAL_URI}?q=${'\\'.repeat(1000)}`)}`, 'invalid_request', 'return_to must be at most 2000 characters once URL-encoded'],
    ])('refuses %s with a JSON error, no cookie and no redirect', async (_case, query, error, description) => {
      const response = await request(service.url).get(`/login?${query}`);
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.body).toEqual({ error, error_description: expect.stringContaining(description) });
      expect(response.headers.location).toBeUndefined();
      expect(response.headers['set-cookie']).toBeUndefined();
      expectNoStore(response);
    });

    it.each([
      ['plain characters', 'a', 1],
      ['backslashes, which the cookie holds doubled', '\\', 2],
    ])('fits the longest return_to it accepts, of %s, into a cookie browsers keep (4096 bytes of name and value)', async (_case, character, weight) => {
      const room = 2000 - FINAL_URI.length - 3;
      const longest = `${FINAL_URI}?q=${character.repeat(room / weight)}`;
      const response = await request(service.url).get(`/login?return_to=${encodeURIComponent(longest)}`);
      expect(response.status).toBe(302);
      const stateCookie = stateCookieOf(response);
      expect(`${stateCookie.name}=${stateCookie.value}`.length).toBeLessThan(4096);
    });
  });

  describe('the whole round trip', () => {
    it.each<['fragment' | 'query', () => TestApp, string]>([
      ['fragment', () => service, STATE_COOKIE],
      ['query', () => queryService, 'login_state'],
    ])('lands on FINAL_URI with the tokens in the %s, the code redeemed with REDIRECT_URI and the PKCE verifier', async (delivery, app, cookieName) => {
      const login = new BrowserLogin(app().url);
      const started = await login.start();
      const authorize = locationOf(started);
      expect(stateCookieOf(started, cookieName).attributes.httponly).toBe(true);
      const spotifyRedirect = await approveAutomatically(authorize);
      expect(`${spotifyRedirect.origin}${spotifyRedirect.pathname}`).toBe(REDIRECT_URI);
      expect(spotifyRedirect.searchParams.get('state')).toBe(authorize.searchParams.get('state'));

      const response = await login.callback(spotifyRedirect);

      const landing = expectFinishedCallback(response, cookieName);
      expect(`${landing.origin}${landing.pathname}`).toBe(FINAL_URI);
      const result = landingResult(landing, delivery);
      expect(result).toEqual({
        access_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: '3600',
        scope: authorize.searchParams.get('scope'),
        refresh_token: expect.stringMatching(/^[A-Za-z0-9_-]{40,}$/),
      });
      // The other place stays clean: no tokens in the query in fragment mode, and vice versa.
      expect(delivery === 'fragment' ? landing.search : landing.hash).toBe('');

      const [exchange] = tokenRequests(emulator);
      expect(exchange.headers.authorization).toBe(BASIC);
      expect(exchange.form).toEqual({
        grant_type: 'authorization_code',
        code: spotifyRedirect.searchParams.get('code'),
        redirect_uri: REDIRECT_URI,
        code_verifier: expect.stringMatching(BASE64URL_256_BITS),
      });
      expect(s256(exchange.form.code_verifier)).toBe(authorize.searchParams.get('code_challenge'));

      const refreshed = await request(app().url).post('/refresh').send({ refresh_token: result.refresh_token });
      expect(refreshed.status).toBe(200);
      expect(refreshed.body.access_token).toMatch(/^[A-Za-z0-9_-]{16,}$/);
      // Spotify got the raw refresh token back on /refresh; the page only ever held it sealed.
      const raw = tokenRequests(emulator).at(-1)?.form.refresh_token as string;
      expect(raw).toMatch(/^[A-Za-z0-9_-]{16,}$/);
      expect(result.refresh_token).not.toContain(raw);
    });

    it.each<[string, string, string]>([
      ['the second FINAL_URI entry, its query kept', OTHER_FINAL_URI, OTHER_FINAL_URI],
      ['a FINAL_URI entry spelled with upper case and the default port', 'https://APP.example.com:443/logged-in?from=nav', `${FINAL_URI}?from=nav`],
    ])('comes back to return_to: %s', async (_case, returnTo, landsOn) => {
      const login = browser();
      const response = await login.run({ return_to: returnTo });
      const landing = expectFinishedCallback(response);
      expect(`${landing.origin}${landing.pathname}${landing.search}`).toBe(landsOn);
      expect(landingResult(landing).access_token).toEqual(expect.any(String));
    });

    it('has the emulator check the PKCE verifier: a code from one login fails with another login\'s state', async () => {
      const victim = browser();
      const victimCode = (await approveAutomatically(locationOf(await victim.start()))).searchParams.get('code') as string;
      const attacker = browser();
      const attackerState = locationOf(await attacker.start()).searchParams.get('state') as string;

      const response = await attacker.callback(`?code=${encodeURIComponent(victimCode)}&state=${encodeURIComponent(attackerState)}`);

      expectLandingError(response, 'invalid_grant');
      expect(tokenRequests(emulator)).toHaveLength(1);
      expect(tokenRequests(emulator)[0].form.code_verifier).toEqual(expect.stringMatching(BASE64URL_256_BITS));
    });
  });

  describe('state failures land on FINAL_URI with error=state_mismatch, before any code is redeemed', () => {
    const randomState = () => randomBytes(32).toString('base64url');
    /** A state whose first 8 characters, and so its cookie's name, are the login's own. */
    const sameCookieOtherNonce = (redirect: URL) => `${(redirect.searchParams.get('state') as string).slice(0, 8)}${randomState().slice(8)}`;

    /** Each case meddles with a browser that has just been sent back by Spotify. */
    it.each<[string, (login: BrowserLogin, spotifyRedirect: URL) => URL | string]>([
      ['no state cookie', (login, redirect) => {
        login.jar.delete(stateCookieIn(login));
        return redirect;
      }],
      ['an empty state cookie', (login, redirect) => {
        login.jar.set(stateCookieIn(login), '');
        return redirect;
      }],
      ['a forged cookie (ciphertext flipped)', (login, redirect) => {
        login.jar.set(stateCookieIn(login), flipByte(login.jar.get(stateCookieIn(login)) as string, 20));
        return redirect;
      }],
      ['a forged cookie (tag flipped)', (login, redirect) => {
        const sealed = login.jar.get(stateCookieIn(login)) as string;
        login.jar.set(stateCookieIn(login), flipByte(sealed, Buffer.from(sealed, 'base64url').length - 1));
        return redirect;
      }],
      ['a cookie that is not sealed at all', (login, redirect) => {
        login.jar.set(stateCookieIn(login), Buffer.from('{"nonce":"x"}').toString('base64url'));
        return redirect;
      }],
      ['a cookie-parser JSON cookie (j: prefix)', (login, redirect) => {
        login.jar.set(stateCookieIn(login), 'j:{"nonce":"x"}');
        return redirect;
      }],
      ['a state that names no login of this browser', (_login, redirect) => {
        redirect.searchParams.set('state', randomState());
        return redirect;
      }],
      ["a state that names this login's cookie but not its nonce", (_login, redirect) => {
        redirect.searchParams.set('state', sameCookieOtherNonce(redirect));
        return redirect;
      }],
    ])('%s', async (_case, meddle) => {
      const login = browser();
      const spotifyRedirect = await approveAutomatically(locationOf(await login.start()));
      const response = await login.callback(meddle(login, spotifyRedirect));
      expectLandingError(response, 'state_mismatch');
      expect(tokenRequests(emulator)).toHaveLength(0);
    });

    it.each<[string, (redirect: URL) => void]>([
      ['no state parameter', (redirect) => redirect.searchParams.delete('state')],
      ['the state parameter twice', (redirect) => redirect.searchParams.append('state', redirect.searchParams.get('state') as string)],
      ['a state cut short (its first 8 characters still name the cookie)', (redirect) => redirect.searchParams.set('state', (redirect.searchParams.get('state') as string).slice(0, 20))],
      ['a state with more after it', (redirect) => redirect.searchParams.set('state', `${redirect.searchParams.get('state') as string}x`)],
    ])('%s: names no login, so no login cookie is touched and the real callback still finishes', async (_case, meddle) => {
      const login = browser();
      const spotifyRedirect = await approveAutomatically(locationOf(await login.start()));
      const meddled = new URL(spotifyRedirect);
      meddle(meddled);
      const response = await login.callback(meddled);
      const landing = expectLanding(response);
      expect(`${landing.origin}${landing.pathname}`).toBe(FINAL_URI);
      expect(landingResult(landing)).toEqual({ error: 'state_mismatch' });
      expect(setCookiesOf(response.headers)).toEqual([]);
      expect(tokenRequests(emulator)).toHaveLength(0);

      expect(landingResult(expectFinishedCallback(await login.callback(spotifyRedirect))).access_token).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    });

    it('the attacker\'s own state cookie with the victim\'s code (login CSRF)', async () => {
      const victimRedirect = await approveAutomatically(locationOf(await browser().start()));
      const attacker = browser();
      await attacker.start();
      expectLandingError(await attacker.callback(victimRedirect), 'state_mismatch');
      expect(tokenRequests(emulator)).toHaveLength(0);
    });

    it('a replayed callback: the cookie was cleared by the first one', async () => {
      const login = browser();
      const spotifyRedirect = await approveAutomatically(locationOf(await login.start()));
      const stateCookie = stateCookieIn(login);
      expect(landingResult(expectFinishedCallback(await login.callback(spotifyRedirect))).access_token).toMatch(/^[A-Za-z0-9_-]{16,}$/);
      expect(login.jar.get(stateCookie)).toBeUndefined();

      expectLandingError(await login.callback(spotifyRedirect), 'state_mismatch');
      expect(tokenRequests(emulator)).toHaveLength(1);
    });

    it('a return_to that FINAL_URI no longer lists (a deploy between /login and /callback) is not landed on: the first FINAL_URI is', async () => {
      const narrowed = await startTestApp(browserEnvironment(emulator.url, { FINAL_URI }));
      try {
        const login = browser();
        const spotifyRedirect = await approveAutomatically(locationOf(await login.start({ return_to: OTHER_FINAL_URI })));
        const landing = expectFinishedCallback(await login.callback(spotifyRedirect, narrowed.url));
        expect(`${landing.origin}${landing.pathname}${landing.search}`).toBe(FINAL_URI);
        expect(landingResult(landing).access_token).toMatch(/^[A-Za-z0-9_-]{16,}$/);
      } finally {
        await narrowed.close();
      }
    });

    it('a cookie from another deployment (another ENCRYPTION_SECRET)', async () => {
      const other = await startTestApp(browserEnvironment(emulator.url, { ENCRYPTION_SECRET: 'another-deployment-secret-0123456789' }));
      try {
        const login = new BrowserLogin(other.url);
        const spotifyRedirect = await approveAutomatically(locationOf(await login.start()));
        expectLandingError(await login.callback(spotifyRedirect, service.url), 'state_mismatch');
        expect(tokenRequests(emulator)).toHaveLength(0);
      } finally {
        await other.close();
      }
    });

    it.each<[string, number, boolean]>([
      ['just under ten minutes old is still good', 599_000, true],
      ['over ten minutes old has expired', 601_000, false],
    ])('a cookie %s', async (_case, age, accepted) => {
      const login = browser();
      const beforeLogin = Date.now();
      const started = await login.start();
      const afterLogin = Date.now();
      const spotifyRedirect = await approveAutomatically(locationOf(started));
      // The cookie was issued between the two readings: age it from the one that makes the case
      // hold whatever the round trip to the emulator took.
      const issuedAt = accepted ? beforeLogin : afterLogin;
      const response = await later(service, issuedAt + age - Date.now(), () => login.callback(spotifyRedirect));
      if (accepted) {
        expect(landingResult(expectFinishedCallback(response)).access_token).toMatch(/^[A-Za-z0-9_-]{16,}$/);
      } else {
        expectLandingError(response, 'state_mismatch');
        expect(tokenRequests(emulator)).toHaveLength(0);
      }
    });

    it('an expired login lands on the return_to it chose: its cookie is authentic, so its page is known', async () => {
      const login = browser();
      const spotifyRedirect = await approveAutomatically(locationOf(await login.start({ return_to: OTHER_FINAL_URI })));
      expectLandingError(await later(service, 601_000, () => login.callback(spotifyRedirect)), 'state_mismatch', OTHER_FINAL_URI);
      expect(tokenRequests(emulator)).toHaveLength(0);
    });

    it('a return_to is not trusted from a cookie that does not open: such a login lands on the first FINAL_URI', async () => {
      const login = browser();
      const spotifyRedirect = await approveAutomatically(locationOf(await login.start({ return_to: OTHER_FINAL_URI })));
      login.jar.set(stateCookieIn(login), flipByte(login.jar.get(stateCookieIn(login)) as string, 20));
      expectLandingError(await login.callback(spotifyRedirect), 'state_mismatch', FINAL_URI);
    });

    it('counts each refusal in login_state_failures_total by its reason, and in browser_logins_total as state_mismatch', async () => {
      const counts = async () => ({
        stateFailures: await counterValues(service.url, 'login_state_failures_total'),
        logins: await counterValues(service.url, 'browser_logins_total'),
      });
      const refuse = async (meddle: (login: BrowserLogin, redirect: URL) => void, ageMs = 0) => {
        const login = browser();
        const spotifyRedirect = await approveAutomatically(locationOf(await login.start()));
        meddle(login, spotifyRedirect);
        expectLandingError(await later(service, ageMs, () => login.callback(spotifyRedirect)), 'state_mismatch');
      };
      const before = await counts();
      await refuse((login) => login.jar.delete(stateCookieIn(login)));
      // A state naming no cookie of this browser: it has none for that login.
      await refuse((_login, redirect) => redirect.searchParams.set('state', randomState()));
      await refuse((login) => login.jar.set(stateCookieIn(login), flipByte(login.jar.get(stateCookieIn(login)) as string, 20)));
      // A value cookie-parser turns into an object is not one this service sealed: invalid, not missing.
      await refuse((login) => login.jar.set(stateCookieIn(login), 'j:{"nonce":"x"}'));
      await refuse(() => undefined, 601_000);
      await refuse((_login, redirect) => redirect.searchParams.set('state', sameCookieOtherNonce(redirect)));
      const after = await counts();
      expect(counterGains(before.stateFailures, after.stateFailures)).toEqual({ missing: 2, invalid: 2, expired: 1, mismatch: 1 });
      expect(counterGains(before.logins, after.logins)).toEqual({ state_mismatch: 6 });
    });
  });

  describe('several logins in one browser (tabs), each finished by its own callback', () => {
    const cookieOf = (spotifyRedirect: URL) => `${STATE_COOKIE}_${(spotifyRedirect.searchParams.get('state') as string).slice(0, 8)}`;
    const stateCookieBytes = (login: BrowserLogin) =>
      login.jar
        .names()
        .filter((name) => name.startsWith(`${STATE_COOKIE}_`))
        .reduce((bytes, name) => bytes + `${name}=${login.jar.get(name)}; `.length, 0);

    it.each([
      ['in the order they started', [0, 1]],
      ['in reverse order', [1, 0]],
    ])('two logins finished %s both land with tokens on their own pages', async (_case, order) => {
      const login = browser();
      const spotifyRedirects = [
        await approveAutomatically(locationOf(await login.start())),
        await approveAutomatically(locationOf(await login.start({ return_to: OTHER_FINAL_URI }))),
      ];
      const pages = [FINAL_URI, OTHER_FINAL_URI];
      for (const index of order) {
        const response = await login.callback(spotifyRedirects[index]);
        expect(stateCookieOf(response).name).toBe(cookieOf(spotifyRedirects[index]));
        const landing = expectFinishedCallback(response);
        expect(`${landing.origin}${landing.pathname}${landing.search}`).toBe(pages[index]);
        expect(landingResult(landing).access_token).toMatch(/^[A-Za-z0-9_-]{16,}$/);
      }
      expect(login.jar.names()).toEqual([]);
    });

    it('holds ordinary logins in progress within 4 KB of cookies, pushing out the oldest', async () => {
      const login = browser();
      const spotifyRedirects: URL[] = [];
      for (let started = 0; started < 20; started++) {
        spotifyRedirects.push(await approveAutomatically(locationOf(await login.start())));
        expect(stateCookieBytes(login)).toBeLessThanOrEqual(4096);
      }
      const kept = login.jar.names().length;
      expect(kept).toBeGreaterThanOrEqual(12);
      expect(kept).toBeLessThan(20);
      expect(login.jar.names()).toEqual(spotifyRedirects.slice(-kept).map(cookieOf));

      expectLandingError(await login.callback(spotifyRedirects[0]), 'state_mismatch');
      expect(landingResult(expectFinishedCallback(await login.callback(spotifyRedirects[19]))).access_token).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    });

    it('a login with a long return_to pushes out an older one that would not fit beside it, and any login cookie that does not open, but no other cookie', async () => {
      const login = browser();
      const long = `${FINAL_URI}?q=${'a'.repeat(1500)}`;
      const first = await approveAutomatically(locationOf(await login.start({ return_to: long })));
      login.jar.set(`${STATE_COOKIE}_planted0`, 'not-sealed');
      // Not named like a login's cookie (STATEKEY_ and 8 characters): the app's, or with a short STATEKEY its session cookie.
      login.jar.set(`${STATE_COOKIE}_preferences`, 'dark');
      const started = await login.start({ return_to: long });
      const second = await approveAutomatically(locationOf(started));
      const lines = setCookiesOf(started.headers);
      expect(lines.filter(isDeletion).map((line) => line.name).sort()).toEqual([cookieOf(first), `${STATE_COOKIE}_planted0`].sort());
      expect(login.jar.names().sort()).toEqual([cookieOf(second), `${STATE_COOKIE}_preferences`].sort());
      login.jar.delete(`${STATE_COOKIE}_preferences`);

      expect(landingResult(expectFinishedCallback(await login.callback(second))).access_token).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    });
  });

  describe('other failures land on the page too, with error= and nothing else', () => {
    it('access_denied when the user presses Deny at Spotify, on the return_to page; counted as refused', async () => {
      emulator.autoApprove = false;
      const login = browser();
      const spotifyRedirect = await decideAtConsentPage(locationOf(await login.start({ return_to: OTHER_FINAL_URI })), 'deny');
      expect(spotifyRedirect.searchParams.get('error')).toBe('access_denied');

      const before = await counterValues(service.url, 'browser_logins_total');
      expectLandingError(await login.callback(spotifyRedirect), 'access_denied', OTHER_FINAL_URI);
      expect(tokenRequests(emulator)).toHaveLength(0);
      expect(counterGains(before, await counterValues(service.url, 'browser_logins_total'))).toEqual({ refused: 1 });
    });

    it('in query mode (TOKEN_DELIVERY=query) the error is in the query string, where the page reads the tokens', async () => {
      emulator.autoApprove = false;
      const login = new BrowserLogin(queryService.url);
      const spotifyRedirect = await decideAtConsentPage(locationOf(await login.start()), 'deny');
      const landing = expectFinishedCallback(await login.callback(spotifyRedirect), 'login_state');
      expect(`${landing.origin}${landing.pathname}`).toBe(FINAL_URI);
      expect(landing.hash).toBe('');
      expect(landingResult(landing, 'query')).toEqual({ error: 'access_denied' });
    });

    it('in query mode a return_to cannot seed result names: its own tokens and error are dropped, its other parameters kept', async () => {
      emulator.autoApprove = false;
      const login = new BrowserLogin(queryService.url);
      const crafted = `${FINAL_URI}?keep=1&access_token=forged&refresh_token=forged&error=forged`;
      const spotifyRedirect = await decideAtConsentPage(locationOf(await login.start({ return_to: crafted })), 'deny');
      const landing = expectFinishedCallback(await login.callback(spotifyRedirect), 'login_state');
      expect([...landing.searchParams]).toEqual([
        ['keep', '1'],
        ['error', 'access_denied'],
      ]);
    });

    it('a code given twice → invalid_request, and neither code reaches Spotify', async () => {
      const login = browser();
      const spotifyRedirect = await approveAutomatically(locationOf(await login.start()));
      spotifyRedirect.searchParams.append('code', 'a-second-code');
      expectLandingError(await login.callback(spotifyRedirect), 'invalid_request');
      expect(tokenRequests(emulator)).toHaveLength(0);
    });

    it('Approve on the consent page completes the login', async () => {
      emulator.autoApprove = false;
      const login = browser();
      const spotifyRedirect = await decideAtConsentPage(locationOf(await login.start()), 'approve');
      expect(landingResult(expectFinishedCallback(await login.callback(spotifyRedirect))).token_type).toBe('Bearer');
    });

    it('a used code (the state cookie copied and replayed) → Spotify\'s invalid_grant', async () => {
      const login = browser();
      const spotifyRedirect = await approveAutomatically(locationOf(await login.start()));
      const stateCookie = stateCookieIn(login);
      const copied = login.jar.get(stateCookie) as string;
      expect(landingResult(expectFinishedCallback(await login.callback(spotifyRedirect))).access_token).toMatch(/^[A-Za-z0-9_-]{16,}$/);

      const replay = new BrowserLogin(service.url);
      replay.jar.set(stateCookie, copied);
      expectLandingError(await replay.callback(spotifyRedirect), 'invalid_grant');
      expect(tokenRequests(emulator)).toHaveLength(2);
    });

    it('limits /callback with /login: a state cookie replayed in a loop stops reaching Spotify, lands on its return_to, and is counted; /login then answers 429 JSON', async () => {
      const limited = await startTestApp(browserEnvironment(emulator.url, { RATE_LIMIT_PER_MINUTE: '3' }));
      try {
        const login = new BrowserLogin(limited.url);
        const spotifyRedirect = await approveAutomatically(locationOf(await login.start({ return_to: OTHER_FINAL_URI })));
        const stateCookie = stateCookieIn(login);
        const cookie = login.jar.get(stateCookie) as string;
        const replay = () => {
          const again = new BrowserLogin(limited.url);
          again.jar.set(stateCookie, cookie);
          return again.callback(spotifyRedirect);
        };
        expect(landingResult(expectFinishedCallback(await replay())).access_token).toMatch(/^[A-Za-z0-9_-]{16,}$/);
        expectLandingError(await replay(), 'invalid_grant', OTHER_FINAL_URI);
        const redeemed = tokenRequests(emulator).length;
        expectLandingError(await replay(), 'slow_down', OTHER_FINAL_URI);
        expect(tokenRequests(emulator)).toHaveLength(redeemed);
        expect(await counterValues(limited.url, 'browser_logins_total')).toEqual({ ok: 1, invalid_grant: 1, slow_down: 1 });
        // /login has nothing to land on yet: its refusal is JSON.
        const refused = await request(limited.url).get('/login');
        expect(refused.status).toBe(429);
        expect(refused.body).toEqual({ error: 'slow_down', error_description: 'Too many requests from this client; retry later' });
        expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      } finally {
        await limited.close();
      }
    });

    it.each<[string, string, EmulatorFault]>([
      ['Spotify answers 503 with HTML', 'upstream_error', { kind: 'status', status: 503, body: '<html>down</html>', contentType: 'text/html' }],
      ['Spotify resets every connection', 'upstream_error', { kind: 'reset' }],
      ['Spotify does not answer', 'upstream_timeout', { kind: 'hang' }],
      ['Spotify rate limits the code exchange', 'temporarily_unavailable', { kind: 'rate-limit', retryAfterSeconds: 5 }],
    ])('%s → %s', async (_case, error, fault) => {
      const login = browser();
      const spotifyRedirect = await approveAutomatically(locationOf(await login.start()));
      emulator.injectFault(fault, 3);
      expectLandingError(await login.callback(spotifyRedirect), error);
    });

    it('an error code Spotify made up reaches the page, and is counted as other: an odd upstream cannot add series', async () => {
      const login = browser();
      const spotifyRedirect = await approveAutomatically(locationOf(await login.start()));
      const before = await counterValues(service.url, 'browser_logins_total');
      const body = JSON.stringify({ error: 'made_up_error', error_description: 'Made up' });
      emulator.injectFault({ kind: 'status', status: 400, body, contentType: 'application/json' });
      expectLandingError(await login.callback(spotifyRedirect), 'made_up_error');
      expect(counterGains(before, await counterValues(service.url, 'browser_logins_total'))).toEqual({ other: 1 });
    });

    it.each<[string, string, (redirect: URL) => void]>([
      ['neither code nor error', 'invalid_request', (redirect) => redirect.searchParams.delete('code')],
      ['an error that is not an OAuth code', 'invalid_request', (redirect) => redirect.searchParams.set('error', '<script>')],
    ])('%s → %s', async (_case, error, meddle) => {
      const login = browser();
      const spotifyRedirect = await approveAutomatically(locationOf(await login.start()));
      meddle(spotifyRedirect);
      expectLandingError(await login.callback(spotifyRedirect), error);
      expect(tokenRequests(emulator)).toHaveLength(0);
    });
  });

  describe('no server-side memory', () => {
    it('a login in flight survives a secret rotation: /callback on an instance sealing with a new secret', async () => {
      const rotated = await startTestApp(
        browserEnvironment(emulator.url, { ENCRYPTION_SECRET: 'the-rotated-encryption-secret-0123456789', ENCRYPTION_SECRET_PREVIOUS: TEST_SECRET }),
      );
      try {
        const login = browser();
        const spotifyRedirect = await approveAutomatically(locationOf(await login.start()));
        expect(landingResult(expectFinishedCallback(await login.callback(spotifyRedirect, rotated.url))).access_token).toEqual(expect.any(String));
      } finally {
        await rotated.close();
      }
    });

    it('/login on one instance, /callback on another that shares ENCRYPTION_SECRET', async () => {
      const second = await startTestApp(browserEnvironment(emulator.url));
      try {
        const login = browser();
        const spotifyRedirect = await approveAutomatically(locationOf(await login.start({ return_to: OTHER_FINAL_URI })));
        const landing = expectFinishedCallback(await login.callback(spotifyRedirect, second.url));
        expect(`${landing.origin}${landing.pathname}${landing.search}`).toBe(OTHER_FINAL_URI);
        expect(landingResult(landing).access_token).toEqual(expect.any(String));
      } finally {
        await second.close();
      }
    });
  });
});

describe('The state cookie behind a TLS-terminating proxy', () => {
  let emulator: SpotifyEmulator;

  beforeAll(async () => {
    emulator = await startEmulator({ autoApprove: true });
    emulator.registerRedirectUri(TEST_CLIENT.clientId, REDIRECT_URI);
  });
  afterAll(() => emulator.stop());

  const HTTPS = { 'X-Forwarded-Proto': 'https' };
  const SECURE_STATE_COOKIE = `__Host-${STATE_COOKIE}`;

  it.each<[string, RawEnvironment, boolean, string]>([
    ['TRUST_PROXY set: X-Forwarded-Proto https makes it Secure and __Host- named', { TRUST_PROXY: '1' }, true, SECURE_STATE_COOKIE],
    ['TRUST_PROXY unset: a client cannot claim https', {}, false, STATE_COOKIE],
  ])('%s', async (_case, overrides, secure, cookieName) => {
    const service = await startTestApp(browserEnvironment(emulator.url, overrides));
    try {
      const login = new BrowserLogin(service.url);
      const started = await login.start({}, HTTPS);
      expect(stateCookieOf(started, cookieName).attributes.secure ?? false).toBe(secure);
      expect(stateCookieOf(started, cookieName).attributes).toMatchObject({ httponly: true, samesite: 'Lax', 'max-age': '660', path: '/' });

      const spotifyRedirect = await approveAutomatically(locationOf(started));
      const finished = await login.callback(spotifyRedirect, undefined, HTTPS);
      expect(landingResult(expectFinishedCallback(finished, cookieName)).access_token).toMatch(/^[A-Za-z0-9_-]{16,}$/);
      expect(stateCookieOf(finished, cookieName).attributes.secure ?? false).toBe(secure);
    } finally {
      await service.close();
    }
  });

  it('over HTTPS reads only the __Host- cookie: a plain one could have been planted by a sibling subdomain (login CSRF)', async () => {
    const service = await startTestApp(browserEnvironment(emulator.url, { TRUST_PROXY: '1' }));
    try {
      // The attacker's own login state, planted under the plain name the victim's browser would send.
      const attacker = new BrowserLogin(service.url);
      const spotifyRedirect = await approveAutomatically(locationOf(await attacker.start({}, HTTPS)));
      const redeemedBefore = tokenRequests(emulator).length;
      const victim = new BrowserLogin(service.url);
      const attackerCookie = stateCookieIn(attacker, SECURE_STATE_COOKIE);
      victim.jar.set(attackerCookie.replace(/^__Host-/, ''), attacker.jar.get(attackerCookie) as string);
      const landing = expectFinishedCallback(await victim.callback(spotifyRedirect, undefined, HTTPS), SECURE_STATE_COOKIE);
      expect(landingResult(landing)).toEqual({ error: 'state_mismatch' });
      expect(tokenRequests(emulator)).toHaveLength(redeemedBefore);
    } finally {
      await service.close();
    }
  });
});

describe('Browser login without FINAL_URI', () => {
  it.each(['/login', '/callback?code=abc&state=xyz'])('%s answers 501 server_error naming the variable to set', async (path) => {
    const emulator = await startEmulator();
    const service = await startTestApp(serviceEnvironment(emulator.url));
    try {
      const response = await request(service.url).get(path);
      expect(response.status).toBe(501);
      expect(response.body).toEqual({ error: 'server_error', error_description: 'Browser login is not configured on this server: set FINAL_URI' });
      expect(emulator.requests).toHaveLength(0);
    } finally {
      await service.close();
      await emulator.stop();
    }
  });
});
