import { SpotifyEmulator } from '../../src/emulator/spotify-emulator';
import { MOBILE_CALLBACK } from './emulator';
import { ServiceProcess, waitForOutput } from './service-process';
import { TEST_CLIENT } from './test-app';

/**
 * A production start of the compiled service against an emulator, minus the secrets (each spec
 * says how it hands them in). No shutdown delay: there is no load balancer to wait for.
 */
export function productionEnvironment(accountsUrl: string, secrets: Record<string, string>): Record<string, string> {
  return {
    NODE_ENV: 'production',
    PORT: '0',
    CLIENT_ID: TEST_CLIENT.clientId,
    CALLBACK_URL: MOBILE_CALLBACK,
    SPOTIFY_ACCOUNTS_URL: accountsUrl,
    SHUTDOWN_DELAY_MS: '0',
    ...secrets,
  };
}

/** The address a spawned service listens on, read from its start-up log. */
export async function listeningUrl(service: ServiceProcess, timeoutMs?: number): Promise<string> {
  const [, port] = await waitForOutput(service, /Listening on port (\d+)/, timeoutMs);
  return `http://127.0.0.1:${port}`;
}

/** Polls readiness as an orchestrator does, until it answers 200. */
export async function waitUntilReady(url: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await fetch(`${url}/health/ready`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`${url}/health/ready still answers ${status || 'nothing'}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Swaps a fresh emulator code through the service: succeeds only if it holds the right client secret. */
export function swapFreshCode(url: string, emulator: SpotifyEmulator): Promise<Response> {
  const code = emulator.mintCode({ redirectUri: MOBILE_CALLBACK, scope: 'user-read-private' });
  return fetch(`${url}/swap`, { method: 'POST', body: new URLSearchParams({ code }) });
}
