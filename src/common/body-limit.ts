/** The largest request body accepted, in bytes. */
export const BODY_LIMIT_BYTES = 16 * 1024;

/**
 * The same limit as body-parser and error messages spell it. Token requests are a few hundred
 * bytes; 16 KiB leaves room for long PKCE verifiers and extra SDK fields, and nothing more.
 */
export const BODY_LIMIT = `${BODY_LIMIT_BYTES / 1024}kb`;
