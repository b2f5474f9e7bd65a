import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InvalidScopeError, UpstreamError } from '../common/oauth.error';
import { browserConfig } from '../config/browser.config';
import { sessionConfig } from '../config/session.config';
import { CryptoService } from '../crypto/crypto.service';
import { Session, startSession } from '../session/session';
import { splitScopes, unknownScopes } from '../spotify/spotify-scopes';
import { SpotifyService } from '../spotify/spotify.service';
import { SpotifyTokens } from '../spotify/spotify-tokens';
import { Clock } from '../common/clock';
import { LandingPages, LandingResult } from './landing-pages';
import { LoginState } from './login-state';
import { LoginQueryDto } from './login-query.dto';
import { s256CodeChallenge } from './pkce';
import { StateCookieService } from './state-cookie.service';

/** A login that `/login` started: where to send the browser, and what its cookie must carry. */
export interface StartedLogin {
  authorizeUrl: string;
  state: LoginState;
}

/** A login `/callback` finished: the landing page, and in session mode the session to set as a cookie. */
export interface FinishedLogin {
  landing: string;
  session?: Session;
}

/**
 * The browser's Authorization Code flow with PKCE: `/login` starts it, `/callback` finishes it
 * on whichever instance the browser comes back to. Refresh tokens only ever leave sealed.
 */
@Injectable()
export class LoginService {
  constructor(
    @Inject(browserConfig.KEY) private readonly settings: ConfigType<typeof browserConfig>,
    @Inject(sessionConfig.KEY) private readonly sessionSettings: ConfigType<typeof sessionConfig>,
    private readonly spotify: SpotifyService,
    private readonly crypto: CryptoService,
    private readonly landingPages: LandingPages,
    private readonly stateCookie: StateCookieService,
    private readonly clock: Clock,
  ) {}

  /**
   * @throws InvalidScopeError for a scope Spotify does not know.
   * @throws InvalidRequestError for a `return_to` outside FINAL_URI.
   */
  start(query: LoginQueryDto): StartedLogin {
    const scopes = query.scope === undefined ? this.settings.defaultScopes : splitScopes(query.scope);
    const unknown = unknownScopes(scopes);
    if (unknown.length > 0) {
      throw new InvalidScopeError(`Unknown Spotify scope: ${unknown[0].slice(0, 64)}`);
    }
    const returnTo = query.return_to === undefined ? undefined : this.landingPages.checkReturnTo(query.return_to);
    const state = this.stateCookie.create(returnTo);
    const authorizeUrl = this.spotify.authorizeUrl({
      scopes,
      redirectUri: this.settings.redirectUri,
      state: state.nonce,
      codeChallenge: s256CodeChallenge(state.codeVerifier),
      showDialog: query.show_dialog === 'true',
    });
    return { authorizeUrl, state };
  }

  /**
   * Redeems the code with the state's verifier. Tokens mode: the landing page URL carries the
   * tokens. Session mode: it carries only `login=ok`, and the tokens go into the session.
   * @throws UpstreamError in session mode when Spotify sent no refresh token to keep.
   */
  async finish(code: string, state: LoginState): Promise<FinishedLogin> {
    const tokens = await this.spotify.exchangeCode(code, this.settings.redirectUri, state.codeVerifier);
    if (this.sessionSettings.mode === 'tokens') return { landing: this.landingPages.withResult(state.returnTo, this.tokensResult(tokens)) };
    const session = startSession(tokens, this.clock.now());
    if (session === undefined) throw new UpstreamError('the code exchange answered without a refresh_token');
    return { landing: this.landingPages.withResult(state.returnTo, { login: 'ok' }), session };
  }

  private tokensResult(tokens: SpotifyTokens): LandingResult {
    const result: LandingResult = {
      access_token: tokens.access_token,
      token_type: tokens.token_type,
      expires_in: String(tokens.expires_in),
    };
    if (tokens.scope !== undefined) result.scope = tokens.scope;
    if (tokens.refresh_token !== undefined) result.refresh_token = this.crypto.seal('refresh-token', tokens.refresh_token);
    return result;
  }
}
