import { createHash } from 'node:crypto';

/** RFC 7636 §4.2: base64url(SHA-256(verifier)). */
export function s256CodeChallenge(codeVerifier: string): string {
  return createHash('sha256').update(codeVerifier, 'ascii').digest('base64url');
}
