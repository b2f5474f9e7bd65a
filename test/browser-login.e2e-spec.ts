import { Browser, BrowserContext, Page } from 'playwright-core';
import { existsSync } from 'node:fs';
import { browserTests, launchChromium } from './support/browser';
import { freePort } from './support/free-port';
import { MAIN_JS, ServiceProcess, spawnService, waitForOutput } from './support/service-process';

const STEP_TIMEOUT_MS = 10_000;
const availability = browserTests();
if (!availability.run) console.warn(`Skipping the real-browser login specs: ${availability.skipReason}`);
const describeInBrowser = availability.run ? describe : describe.skip;

describeInBrowser('The offline demo in a real browser (headless Chromium)', () => {
  let service: ServiceProcess;
  let serviceUrl: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    if (!existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: run npm run build first (npm test does)`);
    // Started as the README's quick start starts it: no configuration at all but a port.
    const port = await freePort();
    service = spawnService({ PORT: String(port), SHUTDOWN_DELAY_MS: '0' });
    await waitForOutput(service, /Listening on port/);
    serviceUrl = `http://127.0.0.1:${port}`;
    browser = await launchChromium();
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    service?.child.kill('SIGTERM');
    await service?.exited;
  });

  beforeEach(async () => {
    // A fresh profile per test: no cookie from an earlier login.
    context = await browser.newContext();
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    page = await context.newPage();
    pageErrors = [];
    // CSP violations and script errors show up here; the demo must have none.
    page.on('console', (message) => message.type() === 'error' && pageErrors.push(message.text()));
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  afterEach(() => context?.close());

  it('Approve: lands on the demo page showing the user and a token; Refresh shows a new access token', async () => {
    await page.goto(`${serviceUrl}/login`);
    await page.locator('#approve').click();

    await page.getByText('Emulator User (emulator-user)').waitFor();
    expect(page.url()).toBe(`${serviceUrl}/demo`); // the tokens are wiped from the address bar
    const first = await page.locator('#access-token').textContent();
    expect(first).toMatch(/^.{8}….{4}$/);
    expect(await page.locator('#scope').textContent()).toBe('user-read-private user-read-email');

    await page.locator('#refresh').click();
    await page.getByText(/^Refreshed at .*: the access token above is new\.$/).waitFor();
    const second = await page.locator('#access-token').textContent();
    expect(second).toMatch(/^.{8}….{4}$/);
    expect(second).not.toBe(first);
    await page.getByText('Emulator User (emulator-user)').waitFor();
    expect(pageErrors).toEqual([]);
  }, 30_000);

  it('Deny: lands on the demo page showing access_denied', async () => {
    await page.goto(`${serviceUrl}/login`);
    await page.locator('#deny').click();

    await page.locator('#failed').waitFor();
    expect(await page.locator('#error-code').textContent()).toBe('access_denied');
    expect(await page.locator('#signed-in').isHidden()).toBe(true);
    expect(pageErrors).toEqual([]);
  }, 30_000);
});
