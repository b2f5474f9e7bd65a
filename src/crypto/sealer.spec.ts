import { flipByte } from '../../test/support/sealed-text';
import { keyIdOf, Sealer } from './sealer';

const CURRENT = 'current-secret-current-secret-current-secret';
const PREVIOUS = 'previous-secret-previous-secret-previous-secret';
const OTHER = 'another-deployment-secret-another-deployment';
const CLIENT = 'client-id';
const TOKEN = 'AQD-spotify-refresh-token_value';

const sealer = (current = CURRENT, previous: string[] = [], purpose = 'refresh-token', binding = CLIENT) =>
  new Sealer(purpose, binding, current, previous);

const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Sets the lowest bit of the last character, which carries no data when the byte count is not a multiple of 3. */
function setUnusedLastBit(sealed: string): string {
  if (Buffer.from(sealed, 'base64url').length % 3 === 0) throw new Error('every bit of this text carries data');
  const last = BASE64URL_ALPHABET.indexOf(sealed[sealed.length - 1]);
  return sealed.slice(0, -1) + BASE64URL_ALPHABET[last | 1];
}

describe('Sealer', () => {
  it('round-trips a token and reports the current key', () => {
    const sealed = sealer().seal(TOKEN);
    expect(sealed).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain(TOKEN);
    expect(sealer().open(sealed)).toEqual({ value: TOKEN, sealedWithCurrentKey: true });
  });

  it('uses a fresh IV each time, so equal tokens seal differently', () => {
    expect(sealer().seal(TOKEN)).not.toEqual(sealer().seal(TOKEN));
  });

  it('lays out version 1, the key id, a 12-byte IV, the ciphertext and a 16-byte tag', () => {
    const bytes = Buffer.from(sealer().seal(TOKEN), 'base64url');
    expect(bytes[0]).toBe(1);
    expect(bytes.subarray(1, 5).toString('hex')).toBe(keyIdOf(CURRENT));
    expect(bytes.length).toBe(1 + 4 + 12 + Buffer.byteLength(TOKEN) + 16);
  });

  it('opens tokens sealed under a previous secret and says so', () => {
    const sealedBefore = sealer(PREVIOUS).seal(TOKEN);
    expect(sealer(CURRENT, [PREVIOUS]).open(sealedBefore)).toEqual({
      value: TOKEN,
      sealedWithCurrentKey: false,
    });
  });

  it('opens tokens of every listed previous secret, not only the first (two rotations in a row)', () => {
    const OLDEST = 'oldest-secret-oldest-secret-oldest-secret-0123';
    const rotatedTwice = sealer(CURRENT, [PREVIOUS, OLDEST]);
    expect(rotatedTwice.open(sealer(OLDEST).seal(TOKEN))).toEqual({ value: TOKEN, sealedWithCurrentKey: false });
    expect(rotatedTwice.open(sealer(PREVIOUS).seal(TOKEN))).toEqual({ value: TOKEN, sealedWithCurrentKey: false });
  });

  it('keeps one key per secret: one listed twice, or the current one listed as previous, adds none', () => {
    const listedTwice = sealer(CURRENT, [PREVIOUS, PREVIOUS, CURRENT]);
    expect(listedTwice.keyIds).toEqual({ current: keyIdOf(CURRENT), previous: [keyIdOf(PREVIOUS)] });
    expect(listedTwice.open(sealer(PREVIOUS).seal(TOKEN))).toEqual({ value: TOKEN, sealedWithCurrentKey: false });
    expect(listedTwice.open(sealer().seal(TOKEN))).toEqual({ value: TOKEN, sealedWithCurrentKey: true });
  });

  it('refuses tokens of a secret that is no longer listed', () => {
    expect(sealer(CURRENT).open(sealer(PREVIOUS).seal(TOKEN))).toBeUndefined();
  });

  it.each<[string, () => string, boolean]>([
    ['a secret no longer listed', () => sealer('retired-secret-retired-secret-retired-secret').seal(TOKEN), true],
    ['another deployment', () => sealer(OTHER).seal(TOKEN), true],
    ['a tampered token of the current secret', () => flipByte(sealer().seal(TOKEN), 30), false],
    ['a listed previous secret\'s token for another Spotify app', () => sealer(PREVIOUS, [], 'refresh-token', 'other-client').seal(TOKEN), false],
    ['text that is not sealed at all', () => 'not-sealed', false],
    ['a token in another format version', () => flipByte(sealer(OTHER).seal(TOKEN), 0), false],
  ])('says whether a token that does not open names a key it does not hold: %s → %s', (_case, seal, unknown) => {
    const sealed = seal();
    const rotating = sealer(CURRENT, [PREVIOUS]);
    expect(rotating.open(sealed)).toBeUndefined();
    expect(rotating.namesUnknownKey(sealed)).toBe(unknown);
  });

  it('refuses another deployment (other secret) and another Spotify app (other client id)', () => {
    expect(sealer().open(sealer(OTHER).seal(TOKEN))).toBeUndefined();
    expect(sealer().open(sealer(CURRENT, [], 'refresh-token', 'other-client').seal(TOKEN))).toBeUndefined();
  });

  it('keeps purposes apart: a session value never opens as a refresh token', () => {
    expect(sealer().open(sealer(CURRENT, [], 'session').seal(TOKEN))).toBeUndefined();
  });

  const sealedLength = 1 + 4 + 12 + Buffer.byteLength(TOKEN) + 16;
  const regions: Array<[string, number]> = [
    ['version', 0],
    ['key id', 2],
    ['iv', 5],
    ['iv end', 16],
    ['ciphertext', 17],
    ['ciphertext end', 17 + Buffer.byteLength(TOKEN) - 1],
    ['tag', sealedLength - 16],
    ['tag end', sealedLength - 1],
  ];
  it.each(regions)('refuses a token with a flipped %s byte', (_region, offset) => {
    expect(sealer().open(flipByte(sealer().seal(TOKEN), offset))).toBeUndefined();
  });

  it('refuses every single-byte tamper, anywhere', () => {
    const sealed = sealer().seal(TOKEN);
    for (let offset = 0; offset < sealedLength; offset++) {
      expect(sealer().open(flipByte(sealed, offset))).toBeUndefined();
    }
  });

  it.each([
    ['empty', ''],
    ['not base64url', 'abc+def/=='],
    ['too short', Buffer.alloc(20).toString('base64url')],
    ['truncated', () => sealer().seal(TOKEN).slice(0, -4)],
    ['extended', () => sealer().seal(TOKEN) + 'AAAA'],
    // 33 bytes of token make 66 sealed bytes, 88 characters: a lone 89th carries no whole byte.
    ['one stray character appended (the decoder would drop it)', () => sealer().seal(`${TOKEN}xx`) + 'Q'],
    ['the unused bits of the last character set (the decoder would ignore them)', () => setUnusedLastBit(sealer().seal(TOKEN))],
    ['huge', 'A'.repeat(100_000)],
    ['a raw Spotify token', TOKEN],
  ])('refuses %s input', (_name, input) => {
    const text = typeof input === 'function' ? input() : input;
    expect(sealer().open(text)).toBeUndefined();
  });

  it('derives a stable 4-byte key id per secret that reveals nothing of it', () => {
    expect(keyIdOf(CURRENT)).toMatch(/^[0-9a-f]{8}$/);
    expect(keyIdOf(CURRENT)).toBe(keyIdOf(CURRENT));
    expect(keyIdOf(CURRENT)).not.toBe(keyIdOf(PREVIOUS));
  });
});

describe('Sealer IVs', () => {
  it('never repeats an IV, across more tokens than one random draw covers', () => {
    const ivs = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      ivs.add(Buffer.from(sealer().seal(TOKEN), 'base64url').subarray(5, 17).toString('hex'));
    }
    expect(ivs.size).toBe(3000);
  });
});
