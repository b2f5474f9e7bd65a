import request from 'supertest';
import { freePort } from './support/free-port';
import { locationOf } from './support/login-flow';
import { assertBuilt, ServiceProcess, spawnService, waitForOutput } from './support/service-process';

const SECRET = 'auth-startup-test-secret-0123456789abcdef';
const PRODUCTION = { NODE_ENV: 'production', CLIENT_ID: 'id', CLIENT_SECRET: 'secret', ENCRYPTION_SECRET: SECRET, PORT: '0' };

async function stopped(service: ServiceProcess): Promise<void> {
  service.child.kill('SIGTERM');
  await service.exited;
}

describe('Browser login at start-up (node dist/main.js)', () => {
  beforeAll(() => {
    assertBuilt();
  });

  it('offline and without FINAL_URI: /login works at once, landing on the demo page, through the consent page', async () => {
    const port = await freePort();
    const service = spawnService({ PORT: String(port), ENCRYPTION_SECRET: SECRET, SHUTDOWN_DELAY_MS: '0' });
    try {
      await waitForOutput(service, /Listening on port/);
      const serviceUrl = `http://127.0.0.1:${port}`;
      expect(service.output()).toContain(`OFFLINE DEMO: open ${serviceUrl}/login in a browser`);

      const login = await request(serviceUrl).get('/login');
      expect(login.status).toBe(302);
      const authorize = locationOf(login);
      expect(authorize.searchParams.get('redirect_uri')).toBe(`${serviceUrl}/callback`);

      // A person decides: the emulator shows Approve and Deny instead of approving by itself.
      const consent = await fetch(authorize, { redirect: 'manual' });
      expect(consent.status).toBe(200);
      const page = await consent.text();
      expect(page).toContain('id="approve"');
      expect(page).toContain('id="deny"');

      const demo = await request(serviceUrl).get('/demo');
      expect(demo.status).toBe(200);
      expect(demo.headers['content-type']).toMatch(/^text\/html/);
    } finally {
      await stopped(service);
    }
  });

  it.each<[string, Record<string, string>, string]>([
    ['production without FINAL_URI', { CALLBACK_URL: 'myapp://callback' }, 'FINAL_URI is not set: browser login is off and /login answers 501'],
    ['production without CALLBACK_URL', { FINAL_URI: 'https://app.example.com/ok' }, 'CALLBACK_URL is not set: token swap is off and /swap answers 501'],
    ['a localhost REDIRECT_URI', { FINAL_URI: 'https://app.example.com/ok', REDIRECT_URI: 'http://localhost:5000/callback' }, 'REDIRECT_URI uses localhost, which Spotify refuses for new apps'],
    ['a plain http REDIRECT_URI on a public host', { FINAL_URI: 'https://app.example.com/ok', REDIRECT_URI: 'http://swap.example.com/callback' }, 'REDIRECT_URI uses plain http on swap.example.com'],
    ['an https REDIRECT_URI without TRUST_PROXY', { FINAL_URI: 'https://app.example.com/ok', REDIRECT_URI: 'https://swap.example.com/callback' }, 'REDIRECT_URI is https but TRUST_PROXY is off'],
  ])('starts with a warning: %s', async (_case, env, warning) => {
    const service = spawnService({ ...PRODUCTION, SHUTDOWN_DELAY_MS: '0', ...env });
    try {
      await waitForOutput(service, /Listening on port/);
      expect(service.output()).toContain(warning);
    } finally {
      await stopped(service);
    }
  });

  it.each<[string, Record<string, string>, string]>([
    ['production with neither CALLBACK_URL nor FINAL_URI', {}, 'Set CALLBACK_URL (token swap for mobile apps), FINAL_URI (browser login) or both'],
    ['a REDIRECT_URI that is not http(s)', { FINAL_URI: 'https://app.example.com/ok', REDIRECT_URI: 'myapp://callback' }, 'REDIRECT_URI must be an absolute http(s) URL'],
    ['an unknown scope in SCOPES', { FINAL_URI: 'https://app.example.com/ok', SCOPES: 'user-read-private everything' }, 'SCOPES has scopes Spotify does not know: everything'],
  ])('refuses to start: %s', async (_case, env, message) => {
    const service = spawnService({ ...PRODUCTION, ...env });
    expect(await service.exited).toBe(1);
    expect(service.output()).toContain(message);
  });
});
