import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/** Whether the browser reached us over HTTPS, directly or (with TRUST_PROXY) through a proxy. */
export const OverHttps = createParamDecorator(
  (_data: unknown, context: ExecutionContext) => context.switchToHttp().getRequest<Request>().secure,
);

/**
 * Whether a proxy says the browser came over plain http: the first `X-Forwarded-Proto` entry,
 * the one Express reads. Only an explicit `http` counts, so a proxy that sends nothing (or that
 * Express does not trust) never sends a browser round in circles.
 */
export function forwardedAsHttp(request: Request): boolean {
  return request.get('x-forwarded-proto')?.split(',')[0].trim().toLowerCase() === 'http';
}
