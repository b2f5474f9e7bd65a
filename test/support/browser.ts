import { existsSync } from 'node:fs';
import { Browser, chromium } from 'playwright-core';

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
export function browserTests(): { run: boolean; skipReason?: string } {
  if (existsSync(CHROMIUM_PATH) || process.env.REQUIRE_BROWSER_TESTS === '1') return { run: true };
  return {
    run: false,
    skipReason: `${CHROMIUM_PATH} is missing: install it (apt-get install chromium) to run the real-browser specs; CI sets REQUIRE_BROWSER_TESTS=1 to make them mandatory`,
  };
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`REQUIRE_BROWSER_TESTS=1 but ${CHROMIUM_PATH} is missing: install it with apt-get install chromium`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}
