import { Controller, Get, HttpRedirectResponse, Query, Redirect, Req, Res, UseFilters, UseGuards, UsePipes } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { NO_STORE_HEADERS } from '../common/no-store';
import { AuthorizationRefusedError } from '../common/oauth.error';
import { oauthValidationPipe } from '../common/oauth-validation.pipe';
import { MetricsService } from '../metrics/metrics.service';
import { RateLimitGuard } from '../rate-limit/rate-limit.guard';
import { SessionCookieService } from '../session/session-cookie.service';
import { BrowserLoginGuard } from './browser-login.guard';
import { CallbackExceptionFilter } from './callback-exception.filter';
import { CallbackQueryDto } from './callback-query.dto';
import { LoginState } from './login-state';
import { LoginQueryDto } from './login-query.dto';
import { LoginService } from './login.service';
import { ApiOAuthErrors, ApiRequestId, INVALID_REQUEST, SLOW_DOWN } from '../openapi/api-responses';
import { VerifiedLoginState } from './request.decorators';
import { StateGuard } from './state.guard';
import { StateCookieService } from './state-cookie.service';

const FOUND = 302;

/** The browser flow: a web app sends the user to `/login`; Spotify sends them back to `/callback`. */
@ApiTags('Browser login')
@ApiRequestId()
@ApiOAuthErrors([501, 'server_error', 'FINAL_URI is not set: browser login is off'])
@Controller()
@UseGuards(BrowserLoginGuard)
@UsePipes(oauthValidationPipe)
export class AuthController {
  constructor(
    private readonly login: LoginService,
    private readonly stateCookie: StateCookieService,
    private readonly sessionCookie: SessionCookieService,
    private readonly metrics: MetricsService,
  ) {}

  /** Refusals here (bad `return_to`, unknown scope) are JSON: nothing has been redirected yet. */
  @Get('login')
  @ApiOperation({ summary: "Start a login: redirect to Spotify's /authorize with a state cookie and PKCE" })
  @ApiResponse({
    status: FOUND,
    description: 'To Spotify /authorize',
    headers: {
      Location: { description: "Spotify's /authorize URL with state and code_challenge", schema: { type: 'string' } },
      'Set-Cookie': { description: 'The sealed state cookie of this login (STATEKEY_ and the first 8 characters of its state, __Host- prefixed over HTTPS): HttpOnly, SameSite=Lax, Max-Age=660 (the login has 600 s); may also clear the oldest logins in progress when they would outgrow 4 KB', schema: { type: 'string' } },
    },
  })
  @ApiOAuthErrors(INVALID_REQUEST, [400, 'invalid_scope', 'A scope Spotify does not know'], SLOW_DOWN)
  @UseGuards(RateLimitGuard)
  @Redirect()
  start(
    @Query() query: LoginQueryDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): HttpRedirectResponse {
    const { authorizeUrl, state } = this.login.start(query);
    this.stateCookie.issue(request, response, state);
    response.set(NO_STORE_HEADERS);
    return { url: authorizeUrl, statusCode: FOUND };
  }

  @Get('callback')
  @ApiOperation({
    summary: 'Spotify sends the browser back here; lands it on FINAL_URI with tokens or error=',
    description:
      'Every outcome is a redirect to return_to or the first FINAL_URI: tokens (or error=state_mismatch, access_denied, ' +
      'invalid_grant, upstream_error, upstream_timeout, slow_down, ...) in the fragment, or the query with TOKEN_DELIVERY=query.',
  })
  @ApiQuery({ name: 'state', type: String, required: false, description: 'The nonce /login sent to Spotify' })
  @ApiHeader({ name: 'Cookie', required: false, description: 'The state cookie set by /login' })
  @ApiResponse({
    status: FOUND,
    description: 'To the landing page, with the result',
    headers: {
      Location: { description: 'FINAL_URI (or return_to) with the tokens (session mode: login=ok) or error=', schema: { type: 'string' } },
      'Set-Cookie': { description: "Clears this login's state cookie (single use); in session mode, sets the session cookie", schema: { type: 'string' } },
    },
  })
  // Limited like /login: each callback with a valid state cookie costs a call to Spotify, and one
  // cookie can be replayed for its ten minutes, so unlimited callbacks would spend the app's
  // Spotify quota (its 429s hit every user) and the upstream pool. After the state check, so an
  // over-limit login still lands on its own return_to; a forged state never reaches Spotify.
  @UseGuards(StateGuard, RateLimitGuard)
  @UseFilters(CallbackExceptionFilter)
  @Redirect()
  async finish(
    @Query() query: CallbackQueryDto,
    @VerifiedLoginState() state: LoginState,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<HttpRedirectResponse> {
    if (query.error !== undefined) throw new AuthorizationRefusedError(query.error);
    // The DTO guarantees a code whenever there is no error.
    const { landing, session } = await this.login.finish(query.code as string, state);
    this.stateCookie.clear(request, response);
    if (session !== undefined) this.sessionCookie.issue(response, request.secure, session);
    response.set(NO_STORE_HEADERS);
    this.metrics.countBrowserLogin('ok');
    return { url: landing, statusCode: FOUND };
  }
}
