import { createHash } from 'node:crypto';
import { safeEqual } from '../common/safe-equal';

// RFC 7636 §4.1: 43 to 128 characters from the unreserved set.
const VERIFIER_SYNTAX = /^[A-Za-z0-9\-._~]{43,128}$/;

/** The S256 code challenge of a verifier: base64url(SHA-256(ASCII(verifier))), RFC 7636 §4.2. */
export function s256Challenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** Whether `verifier` is well formed and hashes to `challenge`; compared in constant time. */
export function verifierMatchesChallenge(challenge: string, verifier: string | undefined): boolean {
  if (verifier === undefined || !VERIFIER_SYNTAX.test(verifier)) return false;
  return safeEqual(s256Challenge(verifier), challenge);
}
