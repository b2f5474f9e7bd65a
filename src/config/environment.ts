import { plainToInstance, Transform } from 'class-transformer';
import proxyaddr from 'proxy-addr';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
  ValidationError,
} from 'class-validator';
import { ConfigurationError } from './configuration.error';
import { resolveSecretFiles } from './secret-files';
import { splitScopes, unknownScopes } from '../spotify/spotify-scopes';

/** The raw environment: what `process.env` or a test hands in. */
export type RawEnvironment = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const MIN_SECRET_LENGTH = 32;
/** A scrape token guards counters, not keys: long enough not to be guessed over HTTP. */
const MIN_METRICS_TOKEN_LENGTH = 16;
/** RFC 6750's token68, as a pattern source: what can follow `Bearer ` in an Authorization header. */
export const TOKEN68 = '[A-Za-z0-9\\-._~+/]+=*';

/** Unset and empty mean the same thing: operators often leave `NAME=` in a `.env` file. */
const emptyAsUnset = () =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && value.trim() === '' ? undefined : value,
  );

const toInteger = () =>
  Transform(({ value }: { value: unknown }) => {
    if (value === undefined || value === null || value === '') return undefined;
    return /^-?\d+$/.test(String(value).trim()) ? Number(value) : value;
  });

/** One message for every way a whole-number variable can be wrong, so it reads the same whichever check fails. */
function wholeNumber(name: string, min: number, max: number, unit = ''): PropertyDecorator {
  const message = `${name} must be a whole number from ${min} to ${max}${unit}`;
  const decorators = [IsInt({ message }), Min(min, { message }), Max(max, { message })];
  return (target, property) => decorators.forEach((decorate) => decorate(target, property));
}

/**
 * Every environment variable the service reads, with its rule. Validation collects all
 * problems; `validateEnvironment` turns them into one message that says how to fix each.
 */
export class EnvironmentVariables {
  @IsOptional()
  @IsIn(['production', 'development', 'test'], {
    message: 'NODE_ENV must be production, development or test',
  })
  @emptyAsUnset()
  NODE_ENV?: string;

  @IsOptional()
  @IsString()
  @emptyAsUnset()
  CLIENT_ID?: string;

  @IsOptional()
  @IsString()
  @emptyAsUnset()
  CLIENT_SECRET?: string;

  @IsOptional()
  @IsString()
  @emptyAsUnset()
  CALLBACK_URL?: string;

  @IsOptional()
  @IsString()
  @emptyAsUnset()
  CALLBACK_URI?: string;

  @IsOptional()
  @MinLength(MIN_SECRET_LENGTH, {
    message: `ENCRYPTION_SECRET must be at least ${MIN_SECRET_LENGTH} characters (generate one with: npm run -s generate-secret)`,
  })
  @emptyAsUnset()
  ENCRYPTION_SECRET?: string;

  @IsOptional()
  @IsString()
  @emptyAsUnset()
  ENCRYPTION_SECRET_PREVIOUS?: string;

  @IsOptional()
  @IsString()
  @emptyAsUnset()
  SPOTIFY_ACCOUNTS_URL?: string;

  @IsOptional()
  @wholeNumber('UPSTREAM_TIMEOUT_MS', 100, 60_000, ' (milliseconds)')
  @toInteger()
  UPSTREAM_TIMEOUT_MS?: number;

  @IsOptional()
  @wholeNumber('UPSTREAM_MAX_SOCKETS', 1, 1024)
  @toInteger()
  UPSTREAM_MAX_SOCKETS?: number;

  @IsOptional()
  @wholeNumber('PORT', 0, 65535)
  @toInteger()
  PORT?: number;

  @IsOptional()
  @IsIn(['on', 'off'], { message: 'ACCESS_LOG must be on or off' })
  @emptyAsUnset()
  ACCESS_LOG?: string;

  @IsOptional()
  @IsIn(LOG_LEVELS, { message: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` })
  @emptyAsUnset()
  LOG_LEVEL?: string;

  /** Express `trust proxy`: `true`, a hop count, `loopback`, or a comma list of addresses/CIDRs. */
  @IsOptional()
  @IsString()
  @emptyAsUnset()
  TRUST_PROXY?: string;

  @IsOptional()
  @wholeNumber('KEEP_ALIVE_TIMEOUT_MS', 1000, 3_600_000)
  @toInteger()
  KEEP_ALIVE_TIMEOUT_MS?: number;

  @IsOptional()
  @wholeNumber('SHUTDOWN_DELAY_MS', 0, 600_000)
  @toInteger()
  SHUTDOWN_DELAY_MS?: number;

  @IsOptional()
  @wholeNumber('SHUTDOWN_GRACE_MS', 0, 600_000)
  @toInteger()
  SHUTDOWN_GRACE_MS?: number;

  @IsOptional()
  @IsString()
  @emptyAsUnset()
  CORS_ORIGINS?: string;

  @IsOptional()
  @wholeNumber('RATE_LIMIT_PER_MINUTE', 1, 1_000_000)
  @toInteger()
  RATE_LIMIT_PER_MINUTE?: number;

  @IsOptional()
  @IsString()
  @emptyAsUnset()
  REDIS_URL?: string;

  @IsOptional()
  @IsString()
  @emptyAsUnset()
  NEW_RELIC_LICENSE_KEY?: string;

  @IsOptional()
  @Matches(new RegExp(`^${TOKEN68}$`), { message: 'METRICS_TOKEN must be a bearer token: letters, digits and - . _ ~ + / (then = padding only)' })
  @MinLength(MIN_METRICS_TOKEN_LENGTH, {
    message: `METRICS_TOKEN must be at least ${MIN_METRICS_TOKEN_LENGTH} characters (generate one with: npm run -s generate-secret)`,
  })
  @emptyAsUnset()
  METRICS_TOKEN?: string;

  @IsOptional()
  @IsIn(['on', 'off'], { message: 'API_DOCS must be on or off' })
  @emptyAsUnset()
  API_DOCS?: string;

  @IsOptional()
  @IsString()
  @emptyAsUnset()
  REDIRECT_URI?: string;

  @IsOptional()
  @IsString()
  @emptyAsUnset()
  FINAL_URI?: string;

  @IsOptional()
  @Matches(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, {
    message: "STATEKEY must be a cookie name: letters, digits and !#$%&'*+-.^_`|~ only (default spotify_auth_state)",
  })
  @emptyAsUnset()
  STATEKEY?: string;

  @IsOptional()
  @IsIn(['fragment', 'query'], { message: 'TOKEN_DELIVERY must be fragment (default, RFC 9700) or query' })
  @emptyAsUnset()
  TOKEN_DELIVERY?: string;

  @IsOptional()
  @IsString()
  @emptyAsUnset()
  SCOPES?: string;

  @IsOptional()
  @IsIn(['tokens', 'session'], {
    message:
      'BROWSER_MODE must be tokens (default: /callback hands the tokens to FINAL_URI) or session (the refresh token stays in an HttpOnly cookie; pages call GET /token)',
  })
  @emptyAsUnset()
  BROWSER_MODE?: string;

  // Browsers cap a cookie's life at 400 days (RFC 6265bis), so a longer one would be cut short silently.
  @IsOptional()
  @wholeNumber('SESSION_MAX_AGE_DAYS', 1, 400, ' (days; browsers keep no cookie longer than 400)')
  @toInteger()
  SESSION_MAX_AGE_DAYS?: number;
}

/** Comma-separated list, blanks dropped. */
export function parseList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** True for an absolute http: or https: URL. */
function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** An http(s) URL without a user name or password: these URLs reach browsers, Spotify or the log. */
function isHttpUrlWithoutCredentials(value: string): boolean {
  if (!isHttpUrl(value)) return false;
  const url = new URL(value);
  return url.username === '' && url.password === '';
}

/**
 * A configured URL as a message may quote it: everything between the scheme and the last `@`
 * masked. Blunter than URL parsing on purpose: a password may hold `/`, `?` or `#`, and
 * `https:u:p@host` or `https:\\u:p@host` carry credentials too; masking a path's `@` as well
 * costs nothing in an error message.
 */
function quotedUrl(value: string): string {
  return `"${value.replace(/^([a-z][a-z0-9+.-]*:[/\\]*)?[^]*@/i, '$1[credentials]@')}"`;
}

function messagesOf(errors: ValidationError[]): string[] {
  return errors.flatMap((error) => Object.values(error.constraints ?? {}));
}

/** Rules that span variables or parse lists, which decorators do not express well. */
function crossFieldProblems(env: EnvironmentVariables): string[] {
  const problems: string[] = [];
  const production = env.NODE_ENV === 'production';

  if (env.CALLBACK_URL && env.CALLBACK_URI && env.CALLBACK_URL !== env.CALLBACK_URI) {
    problems.push('CALLBACK_URL and CALLBACK_URI are both set and differ: set only one (CALLBACK_URI is an alias)');
  }
  for (const uri of parseList(env.CALLBACK_URL ?? env.CALLBACK_URI)) {
    if (!URL.canParse(uri)) {
      problems.push(`CALLBACK_URL entry ${quotedUrl(uri)} is not an absolute URI (e.g. myapp://callback)`);
    }
  }
  if (env.SPOTIFY_ACCOUNTS_URL !== undefined && !isHttpUrlWithoutCredentials(env.SPOTIFY_ACCOUNTS_URL)) {
    // Its /authorize address is sent to browsers: credentials in it would go along.
    problems.push('SPOTIFY_ACCOUNTS_URL must be an absolute http(s) URL without credentials, e.g. https://accounts.spotify.com');
  }
  if (production && env.SPOTIFY_ACCOUNTS_URL !== undefined && isHttpUrl(env.SPOTIFY_ACCOUNTS_URL) && !carriesSecretsSafely(env.SPOTIFY_ACCOUNTS_URL)) {
    problems.push(
      'SPOTIFY_ACCOUNTS_URL must be https when NODE_ENV=production (plain http only on a loopback address): every call to it carries the client secret and a refresh token',
    );
  }
  if (env.CLIENT_ID !== undefined && env.CLIENT_SECRET === undefined) {
    problems.push('CLIENT_SECRET is required when CLIENT_ID is set (find it in the Spotify developer dashboard)');
  }
  if (env.CLIENT_ID === undefined && env.CLIENT_SECRET !== undefined) {
    problems.push('CLIENT_ID is required when CLIENT_SECRET is set (find it in the Spotify developer dashboard)');
  }
  if (production && env.CLIENT_ID === undefined) {
    problems.push('CLIENT_ID and CLIENT_SECRET are required when NODE_ENV=production (the offline emulator is for development only)');
  }
  if (production && env.ENCRYPTION_SECRET === undefined) {
    problems.push(
      'ENCRYPTION_SECRET is required when NODE_ENV=production: without it refresh tokens die with every restart and differ between instances',
    );
  }
  for (const [index, secret] of parseList(env.ENCRYPTION_SECRET_PREVIOUS).entries()) {
    if (secret.length < MIN_SECRET_LENGTH) {
      problems.push(`ENCRYPTION_SECRET_PREVIOUS entry ${index + 1} must be at least ${MIN_SECRET_LENGTH} characters`);
    }
  }
  problems.push(...operationsProblems(env));
  problems.push(...browserLoginProblems(env));
  return problems;
}

function operationsProblems(env: EnvironmentVariables): string[] {
  const problems: string[] = [];
  if (env.TRUST_PROXY !== undefined && parseTrustProxy(env.TRUST_PROXY) === undefined) {
    problems.push(
      'TRUST_PROXY must be true, false (or off), a hop count (e.g. 1), or a comma list of addresses, CIDRs and the names loopback, linklocal, uniquelocal (e.g. uniquelocal,10.0.0.0/8)',
    );
  }
  for (const origin of parseList(env.CORS_ORIGINS)) {
    if (!isHttpUrl(origin) || new URL(origin).origin !== origin) {
      problems.push(`CORS_ORIGINS entry ${quotedUrl(origin)} must be an origin: scheme, host and port only, e.g. https://app.example.com`);
    }
  }
  if (env.REDIS_URL !== undefined && !/^rediss?:\/\/./.test(env.REDIS_URL)) {
    problems.push('REDIS_URL must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379');
  }
  // Defaults count too: a grace set alone below production's 5 s delay would leave no drain at all.
  const delayMs = shutdownDelayMs(env);
  const graceMs = shutdownGraceMs(env);
  if (delayMs > graceMs) {
    problems.push(`SHUTDOWN_DELAY_MS (${delayMs}) must not exceed SHUTDOWN_GRACE_MS (${graceMs}): the grace period includes the delay`);
  }
  return problems;
}

/** After SIGTERM, not ready but still serving; a developer's Ctrl-C should not wait for a balancer that is not there. */
export function shutdownDelayMs(env: EnvironmentVariables): number {
  return env.SHUTDOWN_DELAY_MS ?? (env.NODE_ENV === 'production' ? 5_000 : 0);
}

/** After SIGTERM, the most time in-flight requests get, the delay included. */
export function shutdownGraceMs(env: EnvironmentVariables): number {
  return env.SHUTDOWN_GRACE_MS ?? 25_000;
}

/**
 * An address browsers are sent to (a landing page, this service's /callback): no credentials to
 * hand out, and no fragment (OAuth forbids one in a redirect URI; a landing page gets the tokens
 * in its own).
 */
function isBrowserDestination(value: string): boolean {
  return isHttpUrlWithoutCredentials(value) && !value.includes('#');
}

function browserLoginProblems(env: EnvironmentVariables): string[] {
  const problems: string[] = [];
  if (env.REDIRECT_URI !== undefined && !isBrowserDestination(env.REDIRECT_URI)) {
    problems.push(
      'REDIRECT_URI must be an absolute http(s) URL without a #fragment or credentials: this service\'s /callback as registered in the Spotify dashboard, e.g. https://swap.example.com/callback',
    );
  }
  for (const uri of parseList(env.FINAL_URI)) {
    if (!isBrowserDestination(uri)) {
      problems.push(`FINAL_URI entry ${quotedUrl(uri)} must be an absolute http(s) URL without a #fragment or credentials, e.g. https://app.example.com/logged-in`);
    }
  }
  const unknown = unknownScopes(splitScopes(env.SCOPES ?? ''));
  if (unknown.length > 0) {
    problems.push(
      `SCOPES has scopes Spotify does not know: ${unknown.join(', ')} (see https://developer.spotify.com/documentation/web-api/concepts/scopes)`,
    );
  }
  if (env.NODE_ENV === 'production' && env.CALLBACK_URL === undefined && env.CALLBACK_URI === undefined && env.FINAL_URI === undefined) {
    problems.push(
      'Set CALLBACK_URL (token swap for mobile apps), FINAL_URI (browser login) or both: with neither, NODE_ENV=production would serve no feature',
    );
  }
  return problems;
}

function isLoopbackHost(hostname: string): boolean {
  return hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** https, or plain http that never leaves the machine. */
function carriesSecretsSafely(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === 'https:' || isLoopbackHost(hostname) || hostname === 'localhost';
}

/**
 * What a valid configuration still gets wrong, for start-up warnings: features turned off in
 * production, a REDIRECT_URI that Spotify will refuse or only this machine can reach, a session
 * page served over plain http, a muddled ENCRYPTION_SECRET_PREVIOUS, and a TRUST_PROXY that lets
 * clients name their own address.
 */
export function configurationWarnings(env: EnvironmentVariables): string[] {
  const warnings: string[] = [];
  const swapConfigured = env.CALLBACK_URL !== undefined || env.CALLBACK_URI !== undefined;
  if (env.NODE_ENV === 'production' && swapConfigured !== (env.FINAL_URI !== undefined)) {
    warnings.push(
      swapConfigured
        ? 'FINAL_URI is not set: browser login is off and /login answers 501. Set it to your web app\'s page to turn it on.'
        : 'CALLBACK_URL is not set: token swap is off and /swap answers 501. Set it to your mobile app\'s redirect URI to turn it on.',
    );
  }
  if (env.NODE_ENV === 'production' && env.FINAL_URI !== undefined && env.REDIRECT_URI === undefined) {
    warnings.push(
      `REDIRECT_URI is not set: logins send Spotify ${defaultRedirectUri(env)}, which only a browser on this machine can reach (and which Spotify must have registered). Set it to this service's public /callback URL`,
    );
  }
  if (env.REDIRECT_URI !== undefined && isHttpUrl(env.REDIRECT_URI)) {
    const { protocol, hostname } = new URL(env.REDIRECT_URI);
    if (hostname === 'localhost') {
      warnings.push(
        'REDIRECT_URI uses localhost, which Spotify refuses for new apps: use the loopback address instead, e.g. http://127.0.0.1:5000/callback',
      );
    } else if (protocol === 'http:' && !isLoopbackHost(hostname)) {
      warnings.push(
        `REDIRECT_URI uses plain http on ${hostname}: Spotify accepts http only for loopback addresses (127.0.0.1, [::1]), so serve this service over https`,
      );
    } else if (protocol === 'https:' && !trustsAnyProxy(env.TRUST_PROXY)) {
      // This service listens on plain http only: an https address means a proxy ends TLS in front of it.
      warnings.push(
        'REDIRECT_URI is https but TRUST_PROXY is off: requests from the TLS proxy look like plain http, so cookies lose Secure and their __Host- names and a same-origin POST /logout is refused. Set TRUST_PROXY to the proxy (e.g. 1 for one hop)',
      );
    }
  }
  if (env.BROWSER_MODE === 'session') {
    for (const origin of parseList(env.CORS_ORIGINS).filter((entry) => isHttpUrl(entry) && !carriesSecretsSafely(entry))) {
      warnings.push(
        `CORS_ORIGINS entry ${origin} is plain http: in session mode its pages may read access tokens from /token, and so may anyone who can alter those pages on the way. Serve that page over https`,
      );
    }
  }
  const previousSecrets = parseList(env.ENCRYPTION_SECRET_PREVIOUS);
  if (env.ENCRYPTION_SECRET !== undefined && previousSecrets.includes(env.ENCRYPTION_SECRET)) {
    warnings.push('ENCRYPTION_SECRET_PREVIOUS lists ENCRYPTION_SECRET itself: leave the current secret out of it (a rotation step mixed up?)');
  }
  if (new Set(previousSecrets).size < previousSecrets.length) {
    warnings.push('ENCRYPTION_SECRET_PREVIOUS lists a secret twice: once is enough');
  }
  if (env.PORT === 0 && env.REDIRECT_URI === undefined) {
    warnings.push(
      `PORT=0 listens on a port picked at random, which the default REDIRECT_URI (${defaultRedirectUri(env)}) and the offline demo's addresses cannot name, so browser logins fail: set a fixed PORT, or REDIRECT_URI`,
    );
  }
  if (parseTrustProxy(env.TRUST_PROXY) === true) {
    warnings.push(
      'TRUST_PROXY=true trusts every X-Forwarded-For entry, so any client can name its own IP and escape its rate limit: set the hop count (e.g. 1) or the proxy\'s addresses instead',
    );
  }
  return warnings;
}

/** `http://127.0.0.1:$PORT/callback`: Spotify refuses `localhost` redirect URIs for new apps. */
export function defaultRedirectUri(env: EnvironmentVariables): string {
  return `http://127.0.0.1:${env.PORT ?? 5000}/callback`;
}

function trustsAnyProxy(value: string | undefined): boolean {
  const setting = parseTrustProxy(value);
  return setting !== false && setting !== 0;
}

/**
 * TRUST_PROXY as Express wants it; `undefined` when it is not a value Express understands.
 * Without it, `X-Forwarded-*` is ignored: a client could otherwise pick its own IP (and rate limit).
 */
export function parseTrustProxy(value: string | undefined): boolean | number | string[] | undefined {
  if (value === undefined || value === 'false' || value === 'off') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  const entries = parseList(value);
  if (entries.length === 0) return undefined;
  try {
    // What Express compiles the setting with: a value it refuses (a /99 prefix, a host name)
    // is a configuration problem here, not a crash once Nest has started.
    proxyaddr.compile(entries);
  } catch {
    return undefined;
  }
  return entries;
}

/**
 * Validates the raw environment once, collecting every problem (after any met while reading it,
 * such as an unreadable `.env`).
 * @throws ConfigurationError naming each bad or missing variable and how to fix it.
 */
export function validateEnvironment(raw: RawEnvironment, earlierProblems: readonly string[] = []): EnvironmentVariables {
  const secrets = resolveSecretFiles(raw);
  const env = plainToInstance(EnvironmentVariables, secrets.env, { excludeExtraneousValues: false });
  const problems = [
    ...earlierProblems,
    ...secrets.problems,
    ...messagesOf(validateSync(env, { stopAtFirstError: true })),
    ...crossFieldProblems(env),
  ];
  if (problems.length > 0) {
    throw new ConfigurationError(problems);
  }
  return env;
}
