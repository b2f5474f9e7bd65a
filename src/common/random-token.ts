import { randomBytes } from 'node:crypto';

/**
 * An opaque, unguessable token: 32 random bytes as base64url, 256 bits in 43 characters, which
 * also makes it a valid PKCE verifier (RFC 7636: 43 to 128 unreserved characters).
 */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}
