import { existsSync } from 'node:fs';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { freePort } from './free-port';
import { assertBuilt, ServiceProcess, spawnService, waitForOutput } from './service-process';

/** The distribution's Chromium (Debian package `chromium`); tests never download a browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Whether the real-browser specs run: always when Chromium is installed; when it is not, they
 * are skipped on a developer's machine and fail where REQUIRE_BROWSER_TESTS=1 (CI) says they must run.
 */
function browserTests(): { run: boolean; skipReason?: string } {
  if (existsSync(CHROMIUM_PATH) || process.env.REQUIRE_BROWSER_TESTS === '1') return { run: true };
  return {
    run: false,
    skipReason: `${CHROMIUM_PATH} is missing: install it (apt-get install chromium) to run the real-browser specs; CI sets REQUIRE_BROWSER_TESTS=1 to make them mandatory`,
  };
}

/** `describe` for real-browser specs, or `describe.skip` with the reason printed where they may not run. */
export function browserDescribe(specs: string): jest.Describe {
  const availability = browserTests();
  if (!availability.run) console.warn(`Skipping the real-browser ${specs} specs: ${availability.skipReason}`);
  return availability.run ? describe : describe.skip;
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`REQUIRE_BROWSER_TESTS=1 but ${CHROMIUM_PATH} is missing: install it with apt-get install chromium`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** The built service started as the README's quick start starts it (offline), plus `env`, and a Chromium. */
export interface DemoUnderTest {
  service: ServiceProcess;
  url: string;
  browser: Browser;
}

export async function startDemoInBrowser(env: Record<string, string> = {}): Promise<DemoUnderTest> {
  assertBuilt();
  const port = await freePort();
  const service = spawnService({ PORT: String(port), SHUTDOWN_DELAY_MS: '0', ...env });
  try {
    await waitForOutput(service, /Listening on port/);
    return { service, url: `http://127.0.0.1:${port}`, browser: await launchChromium() };
  } catch (error) {
    // The caller gets no handle to stop it with, and a live child would keep jest from exiting.
    service.child.kill('SIGKILL');
    throw error;
  }
}

export async function stopDemoInBrowser(demo: DemoUnderTest | undefined): Promise<void> {
  await demo?.browser.close();
  demo?.service.child.kill('SIGTERM');
  await demo?.service.exited;
}

/** How long any one page step (a click, a navigation, a wait for text) may take. */
const STEP_TIMEOUT_MS = 10_000;

/** A fresh profile (no cookie from an earlier test) and a page that collects script errors and CSP violations. */
export async function freshPage(browser: Browser): Promise<{ context: BrowserContext; page: Page; pageErrors: string[] }> {
  const context = await browser.newContext();
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('console', (message) => message.type() === 'error' && pageErrors.push(message.text()));
  page.on('pageerror', (error) => pageErrors.push(error.message));
  return { context, page, pageErrors };
}
