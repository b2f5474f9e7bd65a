/**
 * The largest request body accepted. Token requests are a few hundred bytes;
 * 16 KiB leaves room for long PKCE verifiers and extra SDK fields, and nothing more.
 */
export const BODY_LIMIT = '16kb';
