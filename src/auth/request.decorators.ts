import { requestSlot } from '../common/request-slot';
import { LoginState } from './login-state';

const verifiedLoginState = requestSlot<LoginState>('auth:verified-login-state');

/**
 * Records the state of the login a `/callback` names once the state guard found it authentic, for
 * the handler and the callback filter (which also gets an expired one: its page is still the login's).
 */
export const attachVerifiedLoginState = verifiedLoginState.attach;

/** The authentic state of this callback's login; `undefined` when the state guard did not run or found none. */
export const verifiedLoginStateOf = verifiedLoginState.of;

/** The login state that `StateGuard` verified (authentic and current) for this request. */
export const VerifiedLoginState = verifiedLoginState.param;
