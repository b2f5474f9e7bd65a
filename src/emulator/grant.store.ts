import { randomToken } from '../common/random-token';
import { OneTimeStore } from './one-time-store';

/** Spotify's authorization codes live ten minutes. */
export const CODE_TTL_MS = 10 * 60 * 1000;

// Expired access tokens are kept a while so /v1/me can still say "expired" rather than "invalid".
const EXPIRED_TOKEN_MEMORY_MS = 60 * 60 * 1000;

/** What an authorization code was issued for; the token exchange must present the same. */
export interface CodeGrant {
  clientId: string;
  redirectUri: string;
  /** Space-separated, as requested. */
  scope: string;
  codeChallenge?: string;
}

export interface RefreshGrant {
  clientId: string;
  scope: string;
  /** Issued to a PKCE client without a secret, so it may be refreshed without one. */
  publicClient: boolean;
  revoked: boolean;
}

export type AccessTokenStatus = 'valid' | 'expired' | 'unknown';

/** Every grant the emulator has handed out: codes, refresh tokens and access tokens. */
export class GrantStore {
  private readonly codes: OneTimeStore<CodeGrant>;
  private readonly refreshTokens = new Map<string, RefreshGrant>();
  private readonly accessTokenExpiry = new Map<string, number>();

  constructor(private readonly now: () => number) {
    this.codes = new OneTimeStore<CodeGrant>(CODE_TTL_MS, now);
  }

  issueCode(grant: CodeGrant): string {
    return this.codes.put(grant);
  }

  /** The grant behind a code, once; undefined when unknown, used or expired. */
  redeemCode(code: string): CodeGrant | undefined {
    return this.codes.take(code);
  }

  /** Every code not yet redeemed stops working, as if it had expired. */
  forgetCodes(): void {
    this.codes.clear();
  }

  issueAccessToken(ttlSeconds: number): string {
    this.forgetLongExpiredAccessTokens();
    const token = randomToken();
    this.accessTokenExpiry.set(token, this.now() + ttlSeconds * 1000);
    return token;
  }

  checkAccessToken(token: string): AccessTokenStatus {
    const expiresAt = this.accessTokenExpiry.get(token);
    if (expiresAt === undefined) return 'unknown';
    return this.now() < expiresAt ? 'valid' : 'expired';
  }

  /** Makes every access token issued so far expired, as if their lifetime had passed. */
  expireAccessTokens(): void {
    const now = this.now();
    for (const token of this.accessTokenExpiry.keys()) this.accessTokenExpiry.set(token, now);
  }

  issueRefreshToken(grant: Omit<RefreshGrant, 'revoked'>): string {
    const token = randomToken();
    this.refreshTokens.set(token, { ...grant, revoked: false });
    return token;
  }

  findRefreshToken(token: string): Readonly<RefreshGrant> | undefined {
    return this.refreshTokens.get(token);
  }

  /** Returns false when the token was never issued. */
  revokeRefreshToken(token: string): boolean {
    const grant = this.refreshTokens.get(token);
    if (!grant) return false;
    grant.revoked = true;
    return true;
  }

  revokeAllRefreshTokens(): void {
    for (const grant of this.refreshTokens.values()) grant.revoked = true;
  }

  // Lifetimes can change at run time, so map order is only roughly expiry order; good enough
  // to keep a long benchmark from growing the map without bound.
  private forgetLongExpiredAccessTokens(): void {
    const horizon = this.now() - EXPIRED_TOKEN_MEMORY_MS;
    for (const [token, expiresAt] of this.accessTokenExpiry) {
      if (expiresAt > horizon) break;
      this.accessTokenExpiry.delete(token);
    }
  }
}
