import { createHash, randomBytes } from 'node:crypto';

/** 32 random bytes as base64url: 256 bits in 43 characters, within RFC 7636's 43 to 128. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** RFC 7636 §4.2: base64url(SHA-256(verifier)). */
export function s256CodeChallenge(codeVerifier: string): string {
  return createHash('sha256').update(codeVerifier, 'ascii').digest('base64url');
}
