import { validateEnvironment } from './environment';
import { spotifySettings } from './spotify.config';

describe('spotifySettings', () => {
  it.each<[string, Record<string, string>, string[]]>([
    ['CALLBACK_URL, a comma list in order', { CALLBACK_URL: 'myapp://a, myapp://b' }, ['myapp://a', 'myapp://b']],
    ['CALLBACK_URI, the original service\'s name for it', { CALLBACK_URI: 'myapp://a' }, ['myapp://a']],
    ['both, equal', { CALLBACK_URL: 'myapp://a', CALLBACK_URI: 'myapp://a' }, ['myapp://a']],
    ['neither: /swap is off', {}, []],
  ])('callback URLs from %s', (_case, env, expected) => {
    expect(spotifySettings(validateEnvironment(env)).callbackUrls).toEqual(expected);
  });

  it('drops trailing slashes from SPOTIFY_ACCOUNTS_URL, so paths join cleanly', () => {
    expect(spotifySettings(validateEnvironment({ SPOTIFY_ACCOUNTS_URL: 'http://127.0.0.1:9000//' })).accountsUrl).toBe('http://127.0.0.1:9000');
  });
});
