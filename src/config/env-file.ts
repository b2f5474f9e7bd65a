import { existsSync } from 'node:fs';

/** Loads `.env` (development convenience) into the environment; real variables win. */
export function loadEnvFile(path = '.env'): void {
  if (existsSync(path)) {
    process.loadEnvFile(path);
  }
}
