import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { LoginState } from './login-state';

const VERIFIED_LOGIN_STATE = Symbol('auth:verified-login-state');

interface RequestWithLoginState extends Request {
  [VERIFIED_LOGIN_STATE]?: LoginState;
}

/** Records the state the state guard accepted, for the handler and the callback filter. */
export function attachVerifiedLoginState(request: Request, state: LoginState): void {
  (request as RequestWithLoginState)[VERIFIED_LOGIN_STATE] = state;
}

/** The state the state guard accepted; `undefined` when it did not run or refused. */
export function verifiedLoginStateOf(request: Request): LoginState | undefined {
  return (request as RequestWithLoginState)[VERIFIED_LOGIN_STATE];
}

/** The login state that `StateGuard` verified for this request. */
export const VerifiedLoginState = createParamDecorator(
  (_data: unknown, context: ExecutionContext) => verifiedLoginStateOf(context.switchToHttp().getRequest<Request>()),
);

/** Whether the browser reached us over HTTPS, directly or (with TRUST_PROXY) through a proxy. */
export const OverHttps = createParamDecorator(
  (_data: unknown, context: ExecutionContext) => context.switchToHttp().getRequest<Request>().secure,
);
