import { existsSync, statSync } from 'node:fs';

/** Why `.env` could not be read; reported by validation with every other problem. */
let unreadable: string | undefined;

function unreadableProblem(path: string, reason: string): string {
  return `${path} exists but cannot be read (${reason}): make it a readable file of NAME=value lines, or remove it`;
}

/** Loads `.env` (development convenience) into the environment; real variables win. */
export function loadEnvFile(path = '.env'): void {
  unreadable = undefined;
  if (!existsSync(path)) return;
  // Node's own error for a directory says only that the file's contents are not a string.
  if (statSync(path).isDirectory()) {
    unreadable = unreadableProblem(path, 'it is a directory');
    return;
  }
  try {
    process.loadEnvFile(path);
  } catch (error) {
    unreadable = unreadableProblem(path, (error as NodeJS.ErrnoException).code ?? (error as Error).message);
  }
}

/** The problem loading `.env` met, if any, for `validateEnvironment`. */
export function envFileProblems(): string[] {
  return unreadable === undefined ? [] : [unreadable];
}
