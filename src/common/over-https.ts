import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/** Whether the browser reached us over HTTPS, directly or (with TRUST_PROXY) through a proxy. */
export const OverHttps = createParamDecorator(
  (_data: unknown, context: ExecutionContext) => context.switchToHttp().getRequest<Request>().secure,
);
