import { CODE_TTL_MS, GrantStore } from './grant.store';

describe('GrantStore', () => {
  let time: number;
  let grants: GrantStore;

  beforeEach(() => {
    time = 1_700_000_000_000;
    grants = new GrantStore(() => time);
  });

  it.each([
    ['one millisecond before ten minutes', CODE_TTL_MS - 1, true],
    ['at ten minutes', CODE_TTL_MS, false],
  ])('redeems a code %s: %s', (_case, elapsed, redeemable) => {
    const code = grants.issueCode({ clientId: 'app', redirectUri: 'app://cb', scope: 'a b' });
    time += elapsed;
    expect(grants.redeemCode(code)).toEqual(
      redeemable ? { clientId: 'app', redirectUri: 'app://cb', scope: 'a b' } : undefined,
    );
  });

  it('forgets every code not yet redeemed on demand, and still issues new ones', () => {
    const grant = { clientId: 'app', redirectUri: 'app://cb', scope: 'a b' };
    const forgotten = grants.issueCode(grant);
    grants.forgetCodes();
    expect(grants.redeemCode(forgotten)).toBeUndefined();
    expect(grants.redeemCode(grants.issueCode(grant))).toEqual(grant);
  });

  it.each([
    [0, 'valid'],
    [59_999, 'valid'],
    [60_000, 'expired'],
  ] as const)('an access token with a 60 s lifetime is %s after %i ms', (elapsed, status) => {
    const token = grants.issueAccessToken(60);
    time += elapsed;
    expect(grants.checkAccessToken(token)).toBe(status);
  });

  it('knows nothing of a token it did not issue', () => {
    expect(grants.checkAccessToken('forged')).toBe('unknown');
  });

  it('expires every access token on demand', () => {
    const tokens = [grants.issueAccessToken(3600), grants.issueAccessToken(3600)];
    grants.expireAccessTokens();
    expect(tokens.map((token) => grants.checkAccessToken(token))).toEqual(['expired', 'expired']);
  });

  it('forgets access tokens an hour after they expired', () => {
    const old = grants.issueAccessToken(60);
    time += 60_000 + 60 * 60 * 1000;
    grants.issueAccessToken(60);
    expect(grants.checkAccessToken(old)).toBe('unknown');
  });

  it('revokes one refresh token, or all of them', () => {
    const first = grants.issueRefreshToken({ clientId: 'app', scope: '', publicClient: false });
    const second = grants.issueRefreshToken({ clientId: 'app', scope: '', publicClient: true });
    expect(grants.revokeRefreshToken(first)).toBe(true);
    expect(grants.revokeRefreshToken('never-issued')).toBe(false);
    expect(grants.findRefreshToken(second)?.revoked).toBe(false);
    grants.revokeAllRefreshTokens();
    expect(grants.findRefreshToken(second)?.revoked).toBe(true);
  });
});
