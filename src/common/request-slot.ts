import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/** A value a guard verified, carried on the request to the handler (and filters) that need it. */
export interface RequestSlot<T> {
  attach(request: Request, value: T): void;
  /** `undefined` when the guard did not run or refused. */
  of(request: Request): T | undefined;
  /** The handler parameter decorator that reads the slot. */
  param: () => ParameterDecorator;
}

/** One private, symbol-keyed slot on the request: no name clash with Express or other code. */
export function requestSlot<T>(description: string): RequestSlot<T> {
  const key = Symbol(description);
  type Carrier = Record<symbol, T | undefined>;
  const of = (request: Request) => (request as unknown as Carrier)[key];
  return {
    attach: (request, value) => {
      (request as unknown as Carrier)[key] = value;
    },
    of,
    param: createParamDecorator((_data: unknown, context: ExecutionContext) => of(context.switchToHttp().getRequest<Request>())),
  };
}
