export const KEEP_ALIVE_ADAPTER = Symbol('spotify:keep-alive-adapter');
