import request from 'supertest';
import { SpotifyEmulator } from '../src/emulator/spotify-emulator';
import { setCookiesOf } from './support/cookie-jar';
import { MOBILE_CALLBACK, startEmulator } from './support/emulator';
import { LogCapture } from './support/log-capture';
import { approveAutomatically, BrowserLogin, landingResult, locationOf } from './support/login-flow';
import { serviceEnvironment, startTestApp, TEST_CLIENT, TEST_SECRET, TestApp } from './support/test-app';
import { until } from './support/until';

const FINAL_URI = 'https://app.example.com/done';
const METRICS_TOKEN = 'log-leak-metrics-token-0123456789';
const REDIRECT_URI = 'https://swap.example.com/callback';

/** Every value the answer sets in a cookie, but short ones (a deletion's empty value). */
function cookieValues(response: request.Response): string[] {
  return setCookiesOf(response.headers)
    .map((cookie) => cookie.value)
    .filter((value) => value.length > 8);
}

describe('No secret reaches a log line', () => {
  let emulator: SpotifyEmulator;
  let service: TestApp;
  const logs = new LogCapture();
  const secrets = new Set<string>([
    TEST_CLIENT.clientSecret,
    Buffer.from(`${TEST_CLIENT.clientId}:${TEST_CLIENT.clientSecret}`).toString('base64'),
    TEST_SECRET,
    METRICS_TOKEN,
  ]);
  const remember = (...values: Array<string | undefined>) =>
    values.filter((value): value is string => typeof value === 'string' && value.length > 0).forEach((value) => secrets.add(value));

  beforeAll(async () => {
    emulator = await startEmulator({ autoApprove: true });
    // Only Spotify compares REDIRECT_URI; the test itself follows the redirect to this app.
    emulator.registerRedirectUri(TEST_CLIENT.clientId, REDIRECT_URI);
    service = await startTestApp(serviceEnvironment(emulator.url, { LOG_LEVEL: 'trace', FINAL_URI, REDIRECT_URI, METRICS_TOKEN }), {
      logDestination: logs,
    });
  });

  afterAll(async () => {
    await service.close();
    await emulator.stop();
  });

  it('runs the browser flow, a swap, refreshes, a failed refresh, an upstream error and scrapes, and logs none of their secrets', async () => {
    // Browser flow: /login → emulator /authorize (auto-approve) → /callback → FINAL_URI with tokens.
    const browser = new BrowserLogin(service.url);
    const login = await browser.start();
    expect(login.status).toBe(302);
    remember(...cookieValues(login));
    const spotifyRedirect = await approveAutomatically(locationOf(login));
    remember(spotifyRedirect.searchParams.get('code') ?? undefined, spotifyRedirect.searchParams.get('state') ?? undefined);
    const callback = await browser.callback(spotifyRedirect);
    expect(callback.status).toBe(302);
    const landing = locationOf(callback);
    expect(`${landing.origin}${landing.pathname}`).toBe(FINAL_URI);
    const delivered = landingResult(landing);
    expect(delivered).toMatchObject({ access_token: expect.any(String), refresh_token: expect.any(String) });
    remember(delivered.access_token, delivered.refresh_token);
    remember(...cookieValues(callback));

    // Mobile: swap, refresh, a failed refresh and an upstream error.
    const code = emulator.mintCode({ redirectUri: MOBILE_CALLBACK });
    remember(code);
    const swapped = await request(service.url).post('/swap').type('form').send({ code, client_id: 'x' });
    expect(swapped.status).toBe(200);
    remember(swapped.body.access_token, swapped.body.refresh_token);
    const refreshed = await request(service.url)
      .post('/refresh')
      .set('Authorization', 'Bearer should-not-be-logged-either')
      .type('form')
      .send({ refresh_token: swapped.body.refresh_token });
    expect(refreshed.status).toBe(200);
    remember(refreshed.body.access_token, refreshed.body.refresh_token, 'should-not-be-logged-either');
    const tampered = `${(swapped.body.refresh_token as string).slice(0, -3)}AAA`;
    remember(tampered);
    expect((await request(service.url).post('/refresh').send({ refresh_token: tampered })).status).toBe(400);
    emulator.injectFault({ kind: 'status', status: 500, body: '{"secret":"upstream-body"}', contentType: 'application/json' });
    expect((await request(service.url).post('/refresh').send({ refresh_token: refreshed.body.refresh_token })).status).toBe(502);
    const usedCode = await request(service.url).post('/swap').send({ code });
    expect(usedCode.status).toBe(400);
    remember('upstream-body');
    // Parameter names percent-encoded: Express still reads code and state, so the log must not.
    remember('encoded-name-code-value', 'encoded-name-state-value');
    await request(service.url).get('/callback?co%64e=encoded-name-code-value&st%61te=encoded-name-state-value');
    // A scrape with the metrics token, and one with a wrong token.
    expect((await request(service.url).get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`)).status).toBe(200);
    remember('wrong-metrics-token-0123456789');
    expect((await request(service.url).get('/metrics').set('Authorization', 'Bearer wrong-metrics-token-0123456789')).status).toBe(401);
    // A path the router cannot percent-decode: its error message quotes the raw path.
    remember('undecodable-path-value');
    expect((await request(service.url).get('/undecodable-path-value%zz')).status).toBe(400);

    // What Spotify saw: raw refresh tokens, verifiers and codes the service handled.
    for (const received of emulator.requests) {
      remember(received.form.refresh_token, received.form.code, received.form.code_verifier, received.headers.authorization);
    }

    // Access lines are written when a response finishes, which the client may see first.
    await until('the last access line', () => logs.text().includes('"url":"/callback?co%64e=[redacted]&st%61te=[redacted]"'));
    const text = logs.text();
    expect(logs.accessEntries.length).toBeGreaterThanOrEqual(8);
    // A failed callback's line names the code it landed with, never the values it came with.
    expect(logs.accessEntries.filter((entry) => entry.req?.url.startsWith('/callback'))).toEqual([
      expect.objectContaining({ req: expect.objectContaining({ url: '/callback?code=[redacted]&state=[redacted]' }), res: { statusCode: 302 } }),
      expect.objectContaining({ req: expect.objectContaining({ url: '/callback?co%64e=[redacted]&st%61te=[redacted]' }), error: 'state_mismatch' }),
    ]);
    const leaked = [...secrets].filter((secret) => text.includes(secret));
    expect(leaked).toEqual([]);
    expect(secrets.size).toBeGreaterThanOrEqual(19);
  });
});
