import { requestSlot } from '../common/request-slot';
import { OpenedCookie } from '../crypto/crypto.service';
import { Session } from './session';

/** A session cookie that opened, and whether `/token` must refresh it with Spotify. */
export interface PresentedSession extends OpenedCookie<Session> {
  refreshDue: boolean;
}

const presentedSession = requestSlot<PresentedSession>('session:presented');

/** Records the session the session guard accepted, for the rate limit and the handler. */
export const attachPresentedSession = presentedSession.attach;

/** The session the session guard accepted; `undefined` when it did not run or refused. */
export const presentedSessionOf = presentedSession.of;

/** The session that `SessionGuard` opened for this request. */
export const CurrentSession = presentedSession.param;
