import { RawEnvironment, validateEnvironment } from './environment';
import { sessionSettings } from './session.config';

describe('sessionSettings', () => {
  it.each<[RawEnvironment, ReturnType<typeof sessionSettings>]>([
    [{}, { mode: 'tokens', maxAgeMs: 30 * 86_400_000 }],
    [{ BROWSER_MODE: 'session' }, { mode: 'session', maxAgeMs: 30 * 86_400_000 }],
    [{ BROWSER_MODE: 'tokens', SESSION_MAX_AGE_DAYS: '7' }, { mode: 'tokens', maxAgeMs: 7 * 86_400_000 }],
    [{ BROWSER_MODE: '', SESSION_MAX_AGE_DAYS: '400' }, { mode: 'tokens', maxAgeMs: 400 * 86_400_000 }],
  ])('%j → %j', (env, settings) => {
    expect(sessionSettings(validateEnvironment(env))).toEqual(settings);
  });
});
