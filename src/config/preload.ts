/**
 * Imported by main.ts before anything but the stop-signal handlers. New Relic instruments
 * modules as they are loaded, so its agent must be required before Nest, Express or http are;
 * that is why this reads the environment at import time, which nothing else may do.
 */
import pino from 'pino';
import { loadEnvFile } from './env-file';
import { resolveSecretFiles } from './secret-files';

loadEnvFile();

// The agent reads only NEW_RELIC_LICENSE_KEY, so a key from NEW_RELIC_LICENSE_KEY_FILE is copied
// there. A problem with the file is left for validation to report with every other one.
const licenseKey = resolveSecretFiles(process.env, ['NEW_RELIC_LICENSE_KEY']).env.NEW_RELIC_LICENSE_KEY;

if (licenseKey) {
  process.env.NEW_RELIC_LICENSE_KEY = licenseKey;
  process.env.NEW_RELIC_NO_CONFIG_FILE ??= 'true';
  process.env.NEW_RELIC_APP_NAME ??= 'spotify-token-swap';
  // The agent's own log goes where ours goes: by default it writes newrelic_agent.log to the
  // working directory, which the container's read-only root filesystem refuses.
  process.env.NEW_RELIC_LOG ??= 'stdout';
  try {
    require('newrelic');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
    pino({ base: null }).warn(
      'NEW_RELIC_LICENSE_KEY is set but the newrelic package is not installed: running without New Relic. Install it with: npm install newrelic',
    );
  }
}
