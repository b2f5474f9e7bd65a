import { EnvironmentVariables, parseList } from './environment';
import { configNamespace } from './config-namespace';

/** Key material: the current secret seals, previous ones still open (rotation logs nobody out). */
export interface SecuritySettings {
  encryptionSecret: string;
  previousEncryptionSecrets: string[];
}

function securitySettings(env: EnvironmentVariables): SecuritySettings {
  return {
    // Start-up fills in a generated secret outside production; validation demands one in production.
    encryptionSecret: env.ENCRYPTION_SECRET ?? '',
    previousEncryptionSecrets: parseList(env.ENCRYPTION_SECRET_PREVIOUS),
  };
}

export const securityConfig = configNamespace('security', securitySettings);
