import { ConfigurationError } from './configuration.error';
import { parseList, RawEnvironment, validateEnvironment } from './environment';

const SECRET = 'x'.repeat(32);
const VALID: RawEnvironment = {
  CLIENT_ID: 'id',
  CLIENT_SECRET: 'secret',
  ENCRYPTION_SECRET: SECRET,
  CALLBACK_URL: 'myapp://callback',
};

function problemsOf(env: RawEnvironment): string[] {
  try {
    validateEnvironment(env);
  } catch (error) {
    if (error instanceof ConfigurationError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('validateEnvironment', () => {
  it('accepts a complete production environment and converts numbers', () => {
    const env = validateEnvironment({ ...VALID, NODE_ENV: 'production', PORT: '8080', UPSTREAM_TIMEOUT_MS: '2500' });
    expect(env.PORT).toBe(8080);
    expect(env.UPSTREAM_TIMEOUT_MS).toBe(2500);
  });

  it('accepts an empty development environment (offline demo)', () => {
    expect(problemsOf({})).toEqual([]);
  });

  it.each<[string, RawEnvironment, string]>([
    ['short secret', { ENCRYPTION_SECRET: 'short' }, 'ENCRYPTION_SECRET must be at least 32 characters'],
    ['short previous secret', { ENCRYPTION_SECRET_PREVIOUS: `${SECRET},short` }, 'ENCRYPTION_SECRET_PREVIOUS entry 2 must be at least 32 characters'],
    ['relative accounts URL', { SPOTIFY_ACCOUNTS_URL: 'accounts.spotify.com' }, 'SPOTIFY_ACCOUNTS_URL must be an absolute http(s) URL'],
    ['ftp accounts URL', { SPOTIFY_ACCOUNTS_URL: 'ftp://accounts.spotify.com' }, 'SPOTIFY_ACCOUNTS_URL must be an absolute http(s) URL'],
    ['text timeout', { UPSTREAM_TIMEOUT_MS: 'soon' }, 'UPSTREAM_TIMEOUT_MS must be a whole number from 100 to 60000 (milliseconds)'],
    ['tiny timeout', { UPSTREAM_TIMEOUT_MS: '5' }, 'UPSTREAM_TIMEOUT_MS must be a whole number from 100 to 60000 (milliseconds)'],
    ['port out of range', { PORT: '70000' }, 'PORT must be a whole number from 0 to 65535'],
    ['port not a number', { PORT: 'http' }, 'PORT must be a whole number from 0 to 65535'],
    ['access log', { ACCESS_LOG: 'maybe' }, 'ACCESS_LOG must be on or off'],
    ['log level', { LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of'],
    ['node env', { NODE_ENV: 'prod' }, 'NODE_ENV must be production, development or test'],
    ['callback not a URI', { CALLBACK_URL: 'not a uri' }, 'CALLBACK_URL entry "not a uri" is not an absolute URI'],
    ['id without secret', { CLIENT_ID: 'id' }, 'CLIENT_SECRET is required when CLIENT_ID is set'],
    ['secret without id', { CLIENT_SECRET: 's' }, 'CLIENT_ID is required when CLIENT_SECRET is set'],
    ['conflicting alias', { CALLBACK_URL: 'a://x', CALLBACK_URI: 'b://y' }, 'CALLBACK_URL and CALLBACK_URI are both set and differ'],
    ['production without client', { NODE_ENV: 'production', ENCRYPTION_SECRET: SECRET }, 'CLIENT_ID and CLIENT_SECRET are required when NODE_ENV=production'],
    ['production without secret', { NODE_ENV: 'production', CLIENT_ID: 'a', CLIENT_SECRET: 'b' }, 'ENCRYPTION_SECRET is required when NODE_ENV=production'],
  ])('names the problem: %s', (_case, env, message) => {
    expect(problemsOf(env).join('\n')).toContain(message);
  });

  it('names every problem at once in one message', () => {
    const attempt = () => validateEnvironment({ ENCRYPTION_SECRET: 'short', PORT: 'x', SPOTIFY_ACCOUNTS_URL: 'nope' });
    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).toThrow(/3 problems[\s\S]*ENCRYPTION_SECRET[\s\S]*PORT[\s\S]*SPOTIFY_ACCOUNTS_URL/);
  });

  it('treats empty values as unset', () => {
    expect(problemsOf({ ENCRYPTION_SECRET: '', PORT: '', CLIENT_ID: ' ', CLIENT_SECRET: '' })).toEqual([]);
  });
});

describe('parseList', () => {
  it.each([
    [undefined, []],
    ['', []],
    ['a', ['a']],
    [' a , b ,, c ', ['a', 'b', 'c']],
  ])('parseList(%j) is %j', (input, expected) => {
    expect(parseList(input)).toEqual(expected);
  });
});
