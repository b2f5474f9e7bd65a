import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError } from './configuration.error';
import { validateEnvironment } from './environment';
import { resolveSecretFiles, SECRET_VARIABLES } from './secret-files';

const SECRET = 'file-held-encryption-secret-0123456789abcdef';

describe('resolveSecretFiles', () => {
  let dir: string;
  const secretFile = (name: string, content: string): string => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'secret-files-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each(SECRET_VARIABLES)('reads %s from NAME_FILE, trimmed', (name) => {
    const path = secretFile(name, `  ${SECRET}\n`);
    const raw = { [`${name}_FILE`]: path };
    const { env, problems } = resolveSecretFiles(raw);
    expect(problems).toEqual([]);
    expect(env[name]).toBe(SECRET);
    expect(raw).toEqual({ [`${name}_FILE`]: path });
  });

  it('leaves variables without a file alone, and ignores a blank NAME_FILE', () => {
    const raw = { CLIENT_SECRET: 'from-env', ENCRYPTION_SECRET_FILE: ' ', PORT: '8080' };
    expect(resolveSecretFiles(raw)).toEqual({ env: raw, problems: [] });
  });

  it('ignores _FILE for variables that are not secrets', () => {
    const path = secretFile('client-id', 'id-from-file');
    expect(resolveSecretFiles({ CLIENT_ID_FILE: path }).env.CLIENT_ID).toBeUndefined();
  });

  it('refuses NAME and NAME_FILE with different values, naming both', () => {
    const path = secretFile('client-secret', 'from-file');
    const { env, problems } = resolveSecretFiles({ CLIENT_SECRET: 'from-env', CLIENT_SECRET_FILE: path });
    expect(problems).toEqual([
      'CLIENT_SECRET and CLIENT_SECRET_FILE are both set, to different values: set only one (CLIENT_SECRET_FILE names a file holding the value)',
    ]);
    expect(env.CLIENT_SECRET).toBe('from-env');
  });

  it('accepts NAME already holding the file\'s value (configuration copied back into the environment)', () => {
    const path = secretFile('client-secret', 'same\n');
    expect(resolveSecretFiles({ CLIENT_SECRET: 'same', CLIENT_SECRET_FILE: path }).problems).toEqual([]);
  });

  it.each<[string, (dir: string) => string, string]>([
    ['a missing file', (dir) => join(dir, 'nope'), 'ENOENT'],
    ['a directory', (dir) => (mkdirSync(join(dir, 'folder')), join(dir, 'folder')), 'EISDIR'],
  ])('names the path of %s', (_case, pathIn, code) => {
    const path = pathIn(dir);
    const { env, problems } = resolveSecretFiles({ ENCRYPTION_SECRET_FILE: path });
    expect(problems).toEqual([
      `ENCRYPTION_SECRET_FILE names ${path}, which cannot be read (${code}): mount the secret there or unset ENCRYPTION_SECRET_FILE`,
    ]);
    expect(env.ENCRYPTION_SECRET).toBeUndefined();
  });

  it('reads an empty file as an empty value, which validation treats as unset', () => {
    const path = secretFile('empty', '\n');
    expect(resolveSecretFiles({ ENCRYPTION_SECRET_PREVIOUS_FILE: path })).toEqual({
      env: { ENCRYPTION_SECRET_PREVIOUS_FILE: path, ENCRYPTION_SECRET_PREVIOUS: '' },
      problems: [],
    });
    expect(validateEnvironment({ ENCRYPTION_SECRET_PREVIOUS_FILE: path }).ENCRYPTION_SECRET_PREVIOUS).toBeUndefined();
  });

  it('resolves only the names asked for', () => {
    const path = secretFile('key', 'license');
    const raw = { NEW_RELIC_LICENSE_KEY_FILE: path, ENCRYPTION_SECRET_FILE: join(dir, 'nope') };
    expect(resolveSecretFiles(raw, ['NEW_RELIC_LICENSE_KEY'])).toEqual({
      env: { ...raw, NEW_RELIC_LICENSE_KEY: 'license' },
      problems: [],
    });
  });

  describe('through validateEnvironment', () => {
    const production = { NODE_ENV: 'production', CLIENT_ID: 'id', CALLBACK_URL: 'myapp://callback' };

    it('validates values read from files like values from the environment', () => {
      const env = validateEnvironment({
        ...production,
        CLIENT_SECRET_FILE: secretFile('client-secret', 'client-secret-value\n'),
        ENCRYPTION_SECRET_FILE: secretFile('encryption-secret', `${SECRET}\n`),
      });
      expect(env.CLIENT_SECRET).toBe('client-secret-value');
      expect(env.ENCRYPTION_SECRET).toBe(SECRET);
    });

    it('applies the rules to file content (a short secret is refused)', () => {
      const attempt = () =>
        validateEnvironment({ ...production, CLIENT_SECRET: 's', ENCRYPTION_SECRET_FILE: secretFile('short', 'short') });
      expect(attempt).toThrow(/ENCRYPTION_SECRET must be at least 32 characters/);
    });

    it('joins file problems to the one start-up message, without the content of any file', () => {
      const missing = join(dir, 'missing-secret');
      let error: unknown;
      try {
        validateEnvironment({
          ...production,
          CLIENT_SECRET: 'do-not-print-this-env-value',
          CLIENT_SECRET_FILE: secretFile('client-secret', 'do-not-print-this-client-secret'),
          ENCRYPTION_SECRET_FILE: missing,
          REDIS_URL_FILE: secretFile('redis-url', 'do-not-print-this-redis-password'),
        });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigurationError);
      const message = (error as ConfigurationError).message;
      expect(message).toContain('CLIENT_SECRET and CLIENT_SECRET_FILE are both set');
      expect(message).toContain(`ENCRYPTION_SECRET_FILE names ${missing}, which cannot be read`);
      expect(message).toContain('REDIS_URL must be a redis:// or rediss:// URL');
      expect(message).not.toContain('do-not-print-this');
    });
  });
});
