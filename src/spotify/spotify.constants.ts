export const KEEP_ALIVE_ADAPTER = Symbol('spotify:keep-alive-adapter');

/** Idle pooled sockets to Spotify are retired after this long: before Spotify's (and Node's) 5 s. */
export const IDLE_SOCKET_TIMEOUT_MS = 4000;

/** The most of an answer from Spotify read: a token answer is well under 1 KiB. */
export const MAX_UPSTREAM_ANSWER_BYTES = 64 * 1024;

/** UPSTREAM_TIMEOUT_MS and UPSTREAM_MAX_SOCKETS when unset. */
export const DEFAULT_UPSTREAM_TIMEOUT_MS = 5000;
export const DEFAULT_UPSTREAM_MAX_SOCKETS = 64;
