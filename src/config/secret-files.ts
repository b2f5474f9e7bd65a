import { readFileSync } from 'node:fs';
import type { RawEnvironment } from './environment';

/**
 * The variables that may instead name a file holding the value (`NAME_FILE`), the convention
 * of Docker and Kubernetes secrets: a value in a file stays out of `docker inspect`, the pod
 * spec and child processes' environments.
 */
export const SECRET_VARIABLES = [
  'CLIENT_SECRET',
  'ENCRYPTION_SECRET',
  'ENCRYPTION_SECRET_PREVIOUS',
  'REDIS_URL',
  'NEW_RELIC_LICENSE_KEY',
  'METRICS_TOKEN',
] as const;

type SecretVariable = (typeof SECRET_VARIABLES)[number];

export interface ResolvedSecretFiles {
  /** `raw` with each `NAME` that came from a readable `NAME_FILE` filled in. */
  env: RawEnvironment;
  /** One line per problem, for the start-up message; names paths, never file content. */
  problems: string[];
}

const isSet = (value: string | undefined): value is string => value !== undefined && value.trim() !== '';

/**
 * The file's trimmed content (secret files usually end with a newline), or what is wrong with it.
 * An empty file is an empty value, which means unset, as `NAME=` does: a Secret can then keep an
 * empty `ENCRYPTION_SECRET_PREVIOUS` key between rotations, and a required secret left empty is
 * still named by validation.
 */
function readSecretFile(name: SecretVariable, path: string): { value: string } | { problem: string } {
  try {
    return { value: readFileSync(path, 'utf8').trim() };
  } catch (error) {
    // The code only (ENOENT, EACCES, EISDIR): never anything that could echo the file.
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    return { problem: `${name}_FILE names ${path}, which cannot be read (${code}): mount the secret there or unset ${name}_FILE` };
  }
}

/**
 * Reads every `NAME_FILE` into `NAME`; `raw` is left as it was.
 *
 * `NAME` already equal to the file's content is no conflict: the New Relic preload copies its
 * key into `process.env`, so validation running afterwards sees both set.
 */
export function resolveSecretFiles(
  raw: RawEnvironment,
  names: readonly SecretVariable[] = SECRET_VARIABLES,
): ResolvedSecretFiles {
  const env: RawEnvironment = { ...raw };
  const problems: string[] = [];
  for (const name of names) {
    const path = raw[`${name}_FILE`];
    if (!isSet(path)) continue;
    const read = readSecretFile(name, path);
    if ('problem' in read) {
      problems.push(read.problem);
    } else if (isSet(raw[name]) && raw[name] !== read.value) {
      problems.push(`${name} and ${name}_FILE are both set, to different values: set only one (${name}_FILE names a file holding the value)`);
    } else {
      env[name] = read.value;
    }
  }
  return { env, problems };
}
