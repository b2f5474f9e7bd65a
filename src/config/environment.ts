import { plainToInstance, Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  Min,
  MinLength,
  validateSync,
  ValidationError,
} from 'class-validator';
import { ConfigurationError } from './configuration.error';

/** The raw environment: what `process.env` or a test hands in. */
export type RawEnvironment = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const MIN_SECRET_LENGTH = 32;

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
    message: `ENCRYPTION_SECRET must be at least ${MIN_SECRET_LENGTH} characters (generate one with: node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))")`,
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
}

/** Comma-separated list, blanks dropped. */
export function parseList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** True for an absolute http: or https: URL. */
export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
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
      problems.push(`CALLBACK_URL entry "${uri}" is not an absolute URI (e.g. myapp://callback)`);
    }
  }
  if (env.SPOTIFY_ACCOUNTS_URL !== undefined && !isHttpUrl(env.SPOTIFY_ACCOUNTS_URL)) {
    problems.push('SPOTIFY_ACCOUNTS_URL must be an absolute http(s) URL, e.g. https://accounts.spotify.com');
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
  return problems;
}

/**
 * Validates the raw environment once, collecting every problem.
 * @throws ConfigurationError naming each bad or missing variable and how to fix it.
 */
export function validateEnvironment(raw: RawEnvironment): EnvironmentVariables {
  const env = plainToInstance(EnvironmentVariables, raw, { excludeExtraneousValues: false });
  const problems = [...messagesOf(validateSync(env, { stopAtFirstError: true })), ...crossFieldProblems(env)];
  if (problems.length > 0) {
    throw new ConfigurationError(problems);
  }
  return env;
}
