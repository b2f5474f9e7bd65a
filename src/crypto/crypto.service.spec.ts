import { ConfigType } from '@nestjs/config';
import { securityConfig } from '../config/security.config';
import { spotifyConfig } from '../config/spotify.config';
import { CryptoService } from './crypto.service';

const CURRENT = 'current-secret-current-secret-current-secret';
const PREVIOUS = 'previous-secret-previous-secret-previous-secret';

function cryptoService(encryptionSecret = CURRENT, previousEncryptionSecrets: string[] = []): CryptoService {
  const security = { encryptionSecret, previousEncryptionSecrets } as ConfigType<typeof securityConfig>;
  const spotify = { clientId: 'client-id' } as ConfigType<typeof spotifyConfig>;
  return new CryptoService(security, spotify);
}

/** Accepts only the plaintext "good", as a cookie's own parser would accept only its own shape. */
const parseGood = (plaintext: string) => (plaintext === 'good' ? { kind: plaintext } : undefined);

describe('CryptoService.openCookie', () => {
  const crypto = cryptoService();

  it('opens and parses a cookie it sealed for that purpose', () => {
    expect(crypto.openCookie('state', crypto.seal('state', 'good'), parseGood)).toEqual({
      value: { kind: 'good' },
      sealedWithCurrentKey: true,
    });
  });

  it('says when a retired secret sealed it, so the caller can reseal', () => {
    const sealedBefore = cryptoService(PREVIOUS).seal('session', 'good');
    expect(cryptoService(CURRENT, [PREVIOUS]).openCookie('session', sealedBefore, parseGood)).toEqual({
      value: { kind: 'good' },
      sealedWithCurrentKey: false,
    });
  });

  it.each<[string, unknown]>([
    ['no cookie', undefined],
    ['an empty cookie', ''],
  ])('refuses %s as missing', (_case, cookie) => {
    expect(crypto.openCookie('state', cookie, parseGood)).toBe('missing');
  });

  it.each<[string, () => unknown]>([
    ['a value cookie-parser made an object of (a `j:` cookie)', () => ({ kind: 'good' })],
    ['text that was never sealed', () => 'not-sealed-at-all'],
    ['a value sealed for another purpose', () => crypto.seal('session', 'good')],
    ['a value sealed by another deployment', () => cryptoService(PREVIOUS).seal('state', 'good')],
    ['a sealed value its parser rejects', () => crypto.seal('state', 'bad')],
  ])('refuses %s as invalid', (_case, cookie) => {
    expect(crypto.openCookie('state', cookie(), parseGood)).toBe('invalid');
  });
});
