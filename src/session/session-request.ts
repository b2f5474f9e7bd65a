import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { OpenedSession } from './session-cookie.service';

const PRESENTED_SESSION = Symbol('session:presented');

/** A session cookie that opened, and whether `/token` must refresh it with Spotify. */
export interface PresentedSession extends OpenedSession {
  refreshDue: boolean;
}

interface RequestWithSession extends Request {
  [PRESENTED_SESSION]?: PresentedSession;
}

/** Records the session the session guard accepted, for the rate limit and the handler. */
export function attachPresentedSession(request: Request, session: PresentedSession): void {
  (request as RequestWithSession)[PRESENTED_SESSION] = session;
}

/** The session the session guard accepted; `undefined` when it did not run or refused. */
export function presentedSessionOf(request: Request): PresentedSession | undefined {
  return (request as RequestWithSession)[PRESENTED_SESSION];
}

/** The session that `SessionGuard` opened for this request. */
export const CurrentSession = createParamDecorator(
  (_data: unknown, context: ExecutionContext) => presentedSessionOf(context.switchToHttp().getRequest<Request>()),
);
