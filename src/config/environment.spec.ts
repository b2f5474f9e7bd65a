import { ConfigurationError } from './configuration.error';
import { configurationWarnings, parseList, RawEnvironment, validateEnvironment } from './environment';

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
    ['no sockets to Spotify', { UPSTREAM_MAX_SOCKETS: '0' }, 'UPSTREAM_MAX_SOCKETS must be a whole number from 1 to 1024'],
    ['sockets past the cap', { UPSTREAM_MAX_SOCKETS: '1025' }, 'UPSTREAM_MAX_SOCKETS must be a whole number from 1 to 1024'],
    ['a keep-alive shorter than a second', { KEEP_ALIVE_TIMEOUT_MS: '999' }, 'KEEP_ALIVE_TIMEOUT_MS must be a whole number from 1000 to 3600000'],
    ['a keep-alive past an hour', { KEEP_ALIVE_TIMEOUT_MS: '3600001' }, 'KEEP_ALIVE_TIMEOUT_MS must be a whole number from 1000 to 3600000'],
    ['a negative shutdown delay', { SHUTDOWN_DELAY_MS: '-1' }, 'SHUTDOWN_DELAY_MS must be a whole number from 0 to 600000'],
    ['a grace past ten minutes', { SHUTDOWN_GRACE_MS: '600001' }, 'SHUTDOWN_GRACE_MS must be a whole number from 0 to 600000'],
    ['no requests a minute', { RATE_LIMIT_PER_MINUTE: '0' }, 'RATE_LIMIT_PER_MINUTE must be a whole number from 1 to 1000000'],
    ['a fractional rate limit', { RATE_LIMIT_PER_MINUTE: '1.5' }, 'RATE_LIMIT_PER_MINUTE must be a whole number from 1 to 1000000'],
    ['API docs', { API_DOCS: 'yes' }, 'API_DOCS must be on or off'],
    ['a short metrics token', { METRICS_TOKEN: 'guessable' }, 'METRICS_TOKEN must be at least 16 characters'],
    ['a metrics token no Authorization header can carry', { METRICS_TOKEN: 'two words, sixteen+ chars' }, 'METRICS_TOKEN must be a bearer token'],
    ['a CORS origin with a path', { CORS_ORIGINS: 'https://app.example.com/page' }, 'CORS_ORIGINS entry "https://app.example.com/page" must be an origin'],
    ['a Redis URL of another scheme', { REDIS_URL: 'http://127.0.0.1:6379' }, 'REDIS_URL must be a redis:// or rediss:// URL'],
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
    ['relative redirect URI', { REDIRECT_URI: '/callback' }, 'REDIRECT_URI must be an absolute http(s) URL'],
    ['custom-scheme redirect URI', { REDIRECT_URI: 'myapp://callback' }, 'REDIRECT_URI must be an absolute http(s) URL'],
    ['redirect URI with a fragment', { REDIRECT_URI: 'https://swap.example.com/callback#x' }, 'REDIRECT_URI must be an absolute http(s) URL without a #fragment'],
    ['relative final URI', { FINAL_URI: 'https://app.example.com/ok,/done' }, 'FINAL_URI entry "/done" must be an absolute http(s) URL'],
    ['final URI with a fragment', { FINAL_URI: 'https://app.example.com/ok#tokens' }, 'FINAL_URI entry "https://app.example.com/ok#tokens" must be an absolute http(s) URL without a #fragment'],
    ['final URI with credentials, masked', { FINAL_URI: 'https://u:p4ssw0rd@app.example.com/ok' }, 'FINAL_URI entry "https://[credentials]@app.example.com/ok" must be an absolute http(s) URL without a #fragment or credentials'],
    ['redirect URI with credentials', { REDIRECT_URI: 'https://u:p@swap.example.com/callback' }, 'REDIRECT_URI must be an absolute http(s) URL without a #fragment or credentials'],
    ['production calling Spotify over plain http', { ...VALID, NODE_ENV: 'production', SPOTIFY_ACCOUNTS_URL: 'http://accounts.spotify.com' }, 'SPOTIFY_ACCOUNTS_URL must be https when NODE_ENV=production'],
    ['accounts URL with credentials', { SPOTIFY_ACCOUNTS_URL: 'https://u:p@accounts.example.com' }, 'SPOTIFY_ACCOUNTS_URL must be an absolute http(s) URL without credentials'],
    ['a CORS origin with credentials, masked', { CORS_ORIGINS: 'https://u:p4ssw0rd@app.example.com' }, 'CORS_ORIGINS entry "https://[credentials]@app.example.com" must be an origin'],
    ['a callback URL with credentials but no host, masked', { CALLBACK_URL: 'myapp://u:p4ssw0rd@' }, 'CALLBACK_URL entry "myapp://[credentials]@" is not an absolute URI'],
    ['a password with a slash, masked', { FINAL_URI: 'https://u:pa/ss@app.example.com/ok#x' }, 'FINAL_URI entry "https://[credentials]@app.example.com/ok#x"'],
    ['a password with ? and #, masked', { FINAL_URI: 'https://u:p?a#ss@app.example.com/ok' }, 'FINAL_URI entry "https://[credentials]@app.example.com/ok"'],
    ['credentials without the slashes, masked', { FINAL_URI: 'https:u:secret@app.example.com/ok' }, 'FINAL_URI entry "https:[credentials]@app.example.com/ok"'],
    ['credentials after backslashes, masked', { FINAL_URI: 'https:\\\\u:secret@app.example.com/ok' }, 'FINAL_URI entry "https:\\\\[credentials]@app.example.com/ok"'],
    ['javascript final URI', { FINAL_URI: 'javascript:alert(1)' }, 'FINAL_URI entry "javascript:alert(1)" must be an absolute http(s) URL'],
    ['state cookie name with a space', { STATEKEY: 'auth state' }, 'STATEKEY must be a cookie name'],
    ['state cookie name with a semicolon', { STATEKEY: 'a;b' }, 'STATEKEY must be a cookie name'],
    ['token delivery', { TOKEN_DELIVERY: 'hash' }, 'TOKEN_DELIVERY must be fragment (default, RFC 9700) or query'],
    ['unknown scope', { SCOPES: 'user-read-private user-read-everything' }, 'SCOPES has scopes Spotify does not know: user-read-everything'],
    ['browser mode', { BROWSER_MODE: 'cookie' }, 'BROWSER_MODE must be tokens (default: /callback hands the tokens to FINAL_URI) or session'],
    ['session life of zero days', { SESSION_MAX_AGE_DAYS: '0' }, 'SESSION_MAX_AGE_DAYS must be a whole number from 1 to 400 (days'],
    ['session life past what browsers keep', { SESSION_MAX_AGE_DAYS: '401' }, 'SESSION_MAX_AGE_DAYS must be a whole number from 1 to 400 (days; browsers keep no cookie longer than 400)'],
    ['session life in words', { SESSION_MAX_AGE_DAYS: 'a month' }, 'SESSION_MAX_AGE_DAYS must be a whole number from 1 to 400'],
    ['a shutdown delay past the grace', { SHUTDOWN_DELAY_MS: '4000', SHUTDOWN_GRACE_MS: '3000' }, 'SHUTDOWN_DELAY_MS (4000) must not exceed SHUTDOWN_GRACE_MS (3000)'],
    ['a grace below production\'s default delay', { ...VALID, NODE_ENV: 'production', SHUTDOWN_GRACE_MS: '3000' }, 'SHUTDOWN_DELAY_MS (5000) must not exceed SHUTDOWN_GRACE_MS (3000)'],
    ['trust proxy as a host name', { TRUST_PROXY: 'balancer.internal' }, 'TRUST_PROXY must be true, false (or off), a hop count'],
    ['trust proxy prefix out of range', { TRUST_PROXY: '10.0.0.0/99' }, 'TRUST_PROXY must be true, false (or off), a hop count'],
    ['production with neither feature', { NODE_ENV: 'production', CLIENT_ID: 'a', CLIENT_SECRET: 'b', ENCRYPTION_SECRET: SECRET }, 'Set CALLBACK_URL (token swap for mobile apps), FINAL_URI (browser login) or both'],
  ])('names the problem: %s', (_case, env, message) => {
    expect(problemsOf(env).join('\n')).toContain(message);
  });

  it.each(['http://127.0.0.1:4000', 'http://localhost:4000', 'http://[::1]:4000', 'https://accounts.spotify.com'])(
    'accepts SPOTIFY_ACCOUNTS_URL=%s in production: https, or http that stays on this machine',
    (url) => {
      expect(problemsOf({ ...VALID, NODE_ENV: 'production', SPOTIFY_ACCOUNTS_URL: url })).toEqual([]);
    },
  );

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

describe('configurationWarnings', () => {
  const PRODUCTION: RawEnvironment = { NODE_ENV: 'production', CLIENT_ID: 'id', CLIENT_SECRET: 'secret', ENCRYPTION_SECRET: SECRET };

  it.each<[string, RawEnvironment, string[]]>([
    ['production with both features', { ...PRODUCTION, CALLBACK_URL: 'myapp://cb', FINAL_URI: 'https://app.example.com/ok', REDIRECT_URI: 'https://swap.example.com/callback', TRUST_PROXY: '1' }, []],
    ['production without FINAL_URI', { ...PRODUCTION, CALLBACK_URL: 'myapp://cb' }, ['FINAL_URI is not set: browser login is off and /login answers 501']],
    ['production without CALLBACK_URL', { ...PRODUCTION, FINAL_URI: 'https://app.example.com/ok', REDIRECT_URI: 'https://swap.example.com/callback', TRUST_PROXY: '1' }, ['CALLBACK_URL is not set: token swap is off and /swap answers 501']],
    ['production browser login on the default REDIRECT_URI', { ...PRODUCTION, CALLBACK_URL: 'myapp://cb', FINAL_URI: 'https://app.example.com/ok', PORT: '8080' }, ['REDIRECT_URI is not set: logins send Spotify http://127.0.0.1:8080/callback']],
    ['development on the default REDIRECT_URI', { FINAL_URI: 'https://app.example.com/ok' }, []],
    ['development without either (offline demo)', {}, []],
    ['the default REDIRECT_URI', { PORT: '8080' }, []],
    ['a random port and the default REDIRECT_URI', { PORT: '0' }, ['PORT=0 listens on a port picked at random, which the default REDIRECT_URI (http://127.0.0.1:0/callback)']],
    ['a random port and a REDIRECT_URI', { PORT: '0', REDIRECT_URI: 'http://127.0.0.1:5000/callback' }, []],
    ['a loopback http REDIRECT_URI', { REDIRECT_URI: 'http://127.0.0.1:5000/callback' }, []],
    ['an IPv6 loopback http REDIRECT_URI', { REDIRECT_URI: 'http://[::1]:5000/callback' }, []],
    ['an https REDIRECT_URI behind a trusted proxy', { REDIRECT_URI: 'https://swap.example.com/callback', TRUST_PROXY: '1' }, []],
    ['an https REDIRECT_URI with TRUST_PROXY unset', { REDIRECT_URI: 'https://swap.example.com/callback' }, ['REDIRECT_URI is https but TRUST_PROXY is off']],
    ['an https REDIRECT_URI trusting no hops', { REDIRECT_URI: 'https://swap.example.com/callback', TRUST_PROXY: '0' }, ['REDIRECT_URI is https but TRUST_PROXY is off']],
    ['an https REDIRECT_URI with TRUST_PROXY=off', { REDIRECT_URI: 'https://swap.example.com/callback', TRUST_PROXY: 'off' }, ['REDIRECT_URI is https but TRUST_PROXY is off']],
    ['a localhost REDIRECT_URI', { REDIRECT_URI: 'http://localhost:5000/callback' }, ['REDIRECT_URI uses localhost, which Spotify refuses for new apps']],
    ['an https localhost REDIRECT_URI', { REDIRECT_URI: 'https://localhost/callback' }, ['REDIRECT_URI uses localhost']],
    ['plain http on a public host', { REDIRECT_URI: 'http://swap.example.com/callback' }, ['REDIRECT_URI uses plain http on swap.example.com']],
    ['TRUST_PROXY=true', { TRUST_PROXY: 'true' }, ['TRUST_PROXY=true trusts every X-Forwarded-For entry']],
    ['TRUST_PROXY as a hop count', { TRUST_PROXY: '2' }, []],
    ['a plain-http page allowed the session', { BROWSER_MODE: 'session', CORS_ORIGINS: 'https://app.example.com,http://old.example.com' }, ['CORS_ORIGINS entry http://old.example.com is plain http']],
    ['a loopback http page allowed the session', { BROWSER_MODE: 'session', CORS_ORIGINS: 'http://127.0.0.1:3000,http://localhost:3000' }, []],
    ['a plain-http page allowed /refresh only (tokens mode)', { CORS_ORIGINS: 'http://old.example.com' }, []],
    ['the current secret listed as previous', { ENCRYPTION_SECRET: SECRET, ENCRYPTION_SECRET_PREVIOUS: SECRET }, ['ENCRYPTION_SECRET_PREVIOUS lists ENCRYPTION_SECRET itself']],
    ['a previous secret listed twice', { ENCRYPTION_SECRET_PREVIOUS: `${'p'.repeat(32)},${'p'.repeat(32)}` }, ['ENCRYPTION_SECRET_PREVIOUS lists a secret twice']],
  ])('%s', (_case, env, expected) => {
    const warnings = configurationWarnings(validateEnvironment(env));
    expect(warnings).toHaveLength(expected.length);
    expected.forEach((start, index) => expect(warnings[index]).toContain(start));
  });
});
