import { BrowserContext, Page } from 'playwright-core';
import { browserDescribe, DemoUnderTest, freshPage, startDemoInBrowser, stopDemoInBrowser } from './support/browser';

const describeInBrowser = browserDescribe('login');

describeInBrowser('The offline demo in a real browser (headless Chromium)', () => {
  let demo: DemoUnderTest;
  let serviceUrl: string;
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    demo = await startDemoInBrowser();
    serviceUrl = demo.url;
  }, 30_000);
  afterAll(() => stopDemoInBrowser(demo));
  beforeEach(async () => ({ context, page, pageErrors } = await freshPage(demo.browser)));
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

  it('two tabs at the consent page at once: each Approve lands its own tab on the demo page, signed in', async () => {
    const tabs = [page, await context.newPage()];
    for (const tab of tabs) await tab.goto(`${serviceUrl}/login`);
    for (const tab of tabs) {
      await tab.locator('#approve').click();
      await tab.getByText('Emulator User (emulator-user)').waitFor();
      expect(tab.url()).toBe(`${serviceUrl}/demo`);
    }
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
