import { s256Challenge, verifierMatchesChallenge } from './pkce';

// RFC 7636 Appendix B.
const RFC_VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const RFC_CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

describe('PKCE S256', () => {
  it('derives the challenge of RFC 7636 Appendix B', () => {
    expect(s256Challenge(RFC_VERIFIER)).toBe(RFC_CHALLENGE);
  });

  it.each([
    ['the matching verifier', RFC_VERIFIER, true],
    ['another well-formed verifier', 'x'.repeat(43), false],
    ['no verifier', undefined, false],
    ['a verifier shorter than 43 characters', 'a'.repeat(42), false],
    ['a verifier longer than 128 characters', 'a'.repeat(129), false],
    ['a verifier with characters outside the unreserved set', `${RFC_VERIFIER.slice(0, 42)}+`, false],
  ])('accepts %s: %s', (_case, verifier, expected) => {
    expect(verifierMatchesChallenge(RFC_CHALLENGE, verifier)).toBe(expected);
  });

  it('accepts the longest legal verifier', () => {
    const verifier = '~'.repeat(128);
    expect(verifierMatchesChallenge(s256Challenge(verifier), verifier)).toBe(true);
  });

  it('rejects a challenge of another length without throwing', () => {
    expect(verifierMatchesChallenge('short', RFC_VERIFIER)).toBe(false);
  });
});
