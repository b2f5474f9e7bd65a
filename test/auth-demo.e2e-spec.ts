import request from 'supertest';
import { OFFLINE_CLIENT } from '../src/config/development-defaults';
import { SpotifyEmulator } from '../src/emulator/spotify-emulator';
import { startEmulator } from './support/emulator';
import { serviceEnvironment, startTestApp, TestApp } from './support/test-app';

describe('The offline demo page (/demo)', () => {
  let emulator: SpotifyEmulator;
  let offline: TestApp;

  beforeAll(async () => {
    emulator = await startEmulator({ clients: [{ ...OFFLINE_CLIENT, redirectUris: [] }] });
    offline = await startTestApp(
      serviceEnvironment(emulator.url, { CLIENT_ID: OFFLINE_CLIENT.clientId, CLIENT_SECRET: OFFLINE_CLIENT.clientSecret }),
    );
  });

  afterAll(async () => {
    await offline.close();
    await emulator.stop();
  });

  it('serves a page that runs under a strict CSP: own script and style only, the emulator for /v1/me', async () => {
    const response = await request(offline.url).get('/demo');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['content-security-policy']).toBe(
      [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        `connect-src 'self' ${emulator.url}`,
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
      ].join('; '),
    );
    expect(response.text).toContain('<script src="/demo/demo.js"></script>');
    expect(response.text).toContain('<link rel="stylesheet" href="/demo/demo.css">');
    expect(response.text).toContain(`data-web-api="${emulator.url}"`);
    // Nothing inline: CSP would block it.
    expect(response.text).not.toMatch(/<script>|<style|\son[a-z]+=/i);
  });

  it.each([
    ['/demo/demo.js', 'text/javascript; charset=utf-8', "fetch('/refresh'"],
    ['/demo/demo.css', 'text/css; charset=utf-8', 'body{'],
  ])('serves %s', async (path, type, content) => {
    const response = await request(offline.url).get(path);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe(type);
    expect(response.text).toContain(content);
  });

  it.each([
    ['its own Spotify app', { CLIENT_ID: 'test-client-id' }],
    ['NODE_ENV=production', { NODE_ENV: 'production', CLIENT_ID: OFFLINE_CLIENT.clientId, CLIENT_SECRET: OFFLINE_CLIENT.clientSecret }],
  ])('is not there (404 not_found) with %s', async (_case, overrides) => {
    const service = await startTestApp(serviceEnvironment(emulator.url, overrides));
    try {
      for (const path of ['/demo', '/demo/demo.js']) {
        const response = await request(service.url).get(path);
        expect(response.status).toBe(404);
        expect(response.body).toEqual({ error: 'not_found', error_description: 'No such route' });
      }
    } finally {
      await service.close();
    }
  });
});
