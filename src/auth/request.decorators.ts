import { requestSlot } from '../common/request-slot';
import { LoginState } from './login-state';

const verifiedLoginState = requestSlot<LoginState>('auth:verified-login-state');

/** Records the state the state guard accepted, for the handler and the callback filter. */
export const attachVerifiedLoginState = verifiedLoginState.attach;

/** The state the state guard accepted; `undefined` when it did not run or refused. */
export const verifiedLoginStateOf = verifiedLoginState.of;

/** The login state that `StateGuard` verified for this request. */
export const VerifiedLoginState = verifiedLoginState.param;
