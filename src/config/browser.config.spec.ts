import { browserSettings, offlineDemoPageUrl } from './browser.config';
import { RawEnvironment, validateEnvironment } from './environment';

const settingsOf = (env: RawEnvironment) => browserSettings(validateEnvironment(env));

describe('browserSettings', () => {
  it('defaults to the loopback callback on PORT, the original cookie name, fragment delivery and basic scopes', () => {
    expect(settingsOf({ PORT: '8080' })).toEqual({
      redirectUri: 'http://127.0.0.1:8080/callback',
      finalUris: [],
      stateCookieName: 'spotify_auth_state',
      tokenDelivery: 'fragment',
      defaultScopes: ['user-read-private', 'user-read-email'],
    });
  });

  it('reads every variable', () => {
    expect(
      settingsOf({
        REDIRECT_URI: 'https://swap.example.com/callback',
        FINAL_URI: 'https://app.example.com/a, https://app.example.com/b',
        STATEKEY: 'state',
        TOKEN_DELIVERY: 'query',
        SCOPES: 'streaming,user-top-read  user-read-email',
      }),
    ).toEqual({
      redirectUri: 'https://swap.example.com/callback',
      finalUris: ['https://app.example.com/a', 'https://app.example.com/b'],
      stateCookieName: 'state',
      tokenDelivery: 'query',
      defaultScopes: ['streaming', 'user-top-read', 'user-read-email'],
    });
  });
});

describe('offlineDemoPageUrl', () => {
  it.each<[RawEnvironment, string]>([
    [{}, 'http://127.0.0.1:5000/demo'],
    [{ PORT: '8080' }, 'http://127.0.0.1:8080/demo'],
    [{ REDIRECT_URI: 'http://192.168.1.20:5000/auth/callback' }, 'http://192.168.1.20:5000/demo'],
  ])('%j → %s', (env, url) => {
    expect(offlineDemoPageUrl(validateEnvironment(env))).toBe(url);
  });
});
