import type { Request } from 'express';

/** Requests that matched no route share one label, so probing random URLs cannot add series. */
const UNMATCHED_ROUTE = 'unmatched';

/**
 * The route template that answered (`/swap`), never the raw URL. A request that only passed
 * through catch-all middleware (`/{*path}`) matched no route.
 */
export function routeTemplateOf(request: Request): string {
  const path = (request.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' && !path.includes('*') ? path : UNMATCHED_ROUTE;
}
