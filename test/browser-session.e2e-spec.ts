import { BrowserContext, Page } from 'playwright-core';
import { OFFLINE_CLIENT } from '../src/config/development-defaults';
import { Sealer } from '../src/crypto/sealer';
import { parseSession, Session } from '../src/session/session';
import { browserDescribe, DemoUnderTest, freshPage, startDemoInBrowser, stopDemoInBrowser } from './support/browser';

const SECRET = 'browser-session-spec-secret-0123456789abcdef';
const describeInBrowser = browserDescribe('session');

/** Everything the page's own JavaScript can read that might hold a token. */
interface PageReach {
  cookie: string;
  localStorage: string;
  sessionStorage: string;
  location: string;
  html: string;
}

/** Run in the page, as its own scripts would (a string: this project compiles without the DOM's types). */
const READ_PLACES = `({
  cookie: document.cookie,
  localStorage: JSON.stringify(Object.entries(localStorage)),
  sessionStorage: JSON.stringify(Object.entries(sessionStorage)),
  location: location.href,
  html: document.documentElement.outerHTML,
})`;

function readablePlaces(page: Page): Promise<PageReach> {
  return page.evaluate<PageReach>(READ_PLACES);
}

function expectOutOfReach(reach: PageReach, secrets: string[]): void {
  for (const [place, text] of Object.entries(reach)) {
    for (const secret of secrets) expect({ place, holdsSecret: text.includes(secret) }).toEqual({ place, holdsSecret: false });
  }
}

describeInBrowser('Session mode in a real browser (headless Chromium, offline demo)', () => {
  let demo: DemoUnderTest;
  let serviceUrl: string;
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[];

  /** The session the browser holds, opened the way the service opens it. */
  async function heldSession(): Promise<Session | undefined> {
    const cookie = (await context.cookies(serviceUrl)).find((candidate) => candidate.name === 'spotify_session');
    if (cookie === undefined) return undefined;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    const opened = new Sealer('session', OFFLINE_CLIENT.clientId, SECRET).open(cookie.value);
    return opened === undefined ? undefined : parseSession(opened.value);
  }

  beforeAll(async () => {
    // The quick start, in session mode: no configuration but the mode and a secret.
    demo = await startDemoInBrowser({ BROWSER_MODE: 'session', ENCRYPTION_SECRET: SECRET });
    serviceUrl = demo.url;
  }, 30_000);
  afterAll(() => stopDemoInBrowser(demo));
  beforeEach(async () => ({ context, page, pageErrors } = await freshPage(demo.browser)));
  afterEach(() => context?.close());

  it('Approve: no token within the page\'s reach until /token; the page shows the user; Log out, then /token → 401', async () => {
    // Hold the page's first /token until the page has been searched for tokens.
    let tokenAsked!: () => void;
    const asked = new Promise<void>((resolve) => (tokenAsked = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    await page.route(`${serviceUrl}/token`, async (route) => {
      tokenAsked();
      await released;
      await route.continue();
    });

    await page.goto(`${serviceUrl}/login`);
    await page.locator('#approve').click();
    await asked;

    const session = (await heldSession()) as Session;
    expect(session).toEqual(expect.objectContaining({ refresh_token: expect.any(String), access_token: expect.any(String) }));
    const before = await readablePlaces(page);
    expect(before.location).toBe(`${serviceUrl}/demo`);
    expect(before.cookie).not.toContain('spotify_session');
    expectOutOfReach(before, [session.refresh_token, session.access_token]);

    release();
    await page.getByText('Emulator User (emulator-user)').waitFor();
    expect(await page.locator('#access-token').textContent()).toBe(`${session.access_token.slice(0, 8)}…${session.access_token.slice(-4)}`);
    expect(await page.locator('#refresh-token').textContent()).toBe("kept by the service, out of this page's reach");
    // The access token now lives in the script's memory only; the refresh token never reaches the page.
    expectOutOfReach(await readablePlaces(page), [session.refresh_token, session.access_token]);

    // Nothing kept in the page: a reload signs in again from the cookie alone.
    await page.reload();
    await page.getByText('Emulator User (emulator-user)').waitFor();
    expect(pageErrors).toEqual([]);

    await page.locator('#logout').click();
    await page.locator('#logged-out').waitFor();
    expect(await page.locator('#signed-in').isHidden()).toBe(true);
    expect(await heldSession()).toBeUndefined();
    const after = await page.evaluate(async () => {
      const response = await fetch('/token', { headers: { 'X-Requested-With': 'fetch' } });
      return { status: response.status, body: (await response.json()) as unknown };
    });
    expect(after).toEqual({ status: 401, body: { error: 'invalid_token', error_description: 'No valid session: log in at /login' } });
  }, 30_000);

  it('a /token that fails for now (502) shows a wait, not a failed login; Try again signs in with the kept cookie', async () => {
    let failNext = true;
    await page.route(`${serviceUrl}/token`, async (route) => {
      if (!failNext) return route.continue();
      failNext = false;
      await route.fulfill({
        status: 502,
        contentType: 'application/json',
        body: JSON.stringify({ error: 'upstream_error', error_description: 'Spotify failed' }),
      });
    });
    await page.goto(`${serviceUrl}/login`);
    await page.locator('#approve').click();

    await page.locator('#unavailable').waitFor();
    expect(await page.locator('#unavailable-reason').textContent()).toBe('upstream_error: Spotify failed');
    expect(await page.locator('#failed').isHidden()).toBe(true);
    await page.locator('#retry').click();
    await page.getByText('Emulator User (emulator-user)').waitFor();
    expect(pageErrors.filter((error) => !error.includes('502'))).toEqual([]);
  }, 30_000);

  it('Deny: lands on the demo page showing access_denied, with no session', async () => {
    await page.goto(`${serviceUrl}/login`);
    await page.locator('#deny').click();

    await page.locator('#failed').waitFor();
    expect(await page.locator('#error-code').textContent()).toBe('access_denied');
    expect(await heldSession()).toBeUndefined();
    expect(pageErrors).toEqual([]);
  }, 30_000);
});
