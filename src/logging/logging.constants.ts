/** Optional pino destination stream; tests inject one to read every log line. */
export const LOG_DESTINATION = Symbol('logging:destination');
