import { developmentDefaults, OFFLINE_CLIENT } from './development-defaults';
import { RawEnvironment, validateEnvironment } from './environment';

const EMULATOR = 'http://127.0.0.1:40001';

const defaultsFor = (raw: RawEnvironment) => developmentDefaults(validateEnvironment(raw), EMULATOR);

describe('developmentDefaults (offline)', () => {
  it('points the service at the emulator with its client, and says so', () => {
    const { variables, warnings } = defaultsFor({ ENCRYPTION_SECRET: 'x'.repeat(32) });
    expect(variables).toMatchObject({ CLIENT_ID: OFFLINE_CLIENT.clientId, SPOTIFY_ACCOUNTS_URL: EMULATOR });
    expect(warnings[0]).toContain(`OFFLINE MODE: CLIENT_ID is not set, so this service talks to a local Spotify Accounts emulator at ${EMULATOR}`);
  });

  it('names a SPOTIFY_ACCOUNTS_URL it overrides instead of dropping it silently', () => {
    const { variables, warnings } = defaultsFor({ ENCRYPTION_SECRET: 'x'.repeat(32), SPOTIFY_ACCOUNTS_URL: 'https://accounts.example.com' });
    expect(variables.SPOTIFY_ACCOUNTS_URL).toBe(EMULATOR);
    expect(warnings).toContain('OFFLINE MODE: SPOTIFY_ACCOUNTS_URL=https://accounts.example.com is ignored without CLIENT_ID.');
  });
});
