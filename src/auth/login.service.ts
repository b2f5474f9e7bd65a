import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InvalidScopeError } from '../common/oauth.error';
import { browserConfig } from '../config/browser.config';
import { CryptoService } from '../crypto/crypto.service';
import { splitScopes, unknownScopes } from '../spotify/spotify-scopes';
import { SpotifyService } from '../spotify/spotify.service';
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

/**
 * The browser's Authorization Code flow with PKCE: `/login` starts it, `/callback` finishes it
 * on whichever instance the browser comes back to. Refresh tokens only ever leave sealed.
 */
@Injectable()
export class LoginService {
  constructor(
    @Inject(browserConfig.KEY) private readonly settings: ConfigType<typeof browserConfig>,
    private readonly spotify: SpotifyService,
    private readonly crypto: CryptoService,
    private readonly landingPages: LandingPages,
    private readonly stateCookie: StateCookieService,
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

  /** Redeems the code with the state's verifier and returns the landing page URL carrying the tokens. */
  async finish(code: string, state: LoginState): Promise<string> {
    const tokens = await this.spotify.exchangeCode(code, this.settings.redirectUri, state.codeVerifier);
    const result: LandingResult = {
      access_token: tokens.access_token,
      token_type: tokens.token_type,
      expires_in: String(tokens.expires_in),
    };
    if (tokens.scope !== undefined) result.scope = tokens.scope;
    if (tokens.refresh_token !== undefined) result.refresh_token = this.crypto.seal('refresh-token', tokens.refresh_token);
    return this.landingPages.withResult(state.returnTo, result);
  }
}
