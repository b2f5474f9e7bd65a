import { Controller, Get, HttpRedirectResponse, Query, Redirect, Res, UseFilters, UseGuards, UsePipes } from '@nestjs/common';
import type { Response } from 'express';
import { AuthorizationRefusedError } from '../common/oauth.error';
import { oauthValidationPipe } from '../common/oauth-validation.pipe';
import { RateLimitGuard } from '../rate-limit/rate-limit.guard';
import { BrowserLoginGuard } from './browser-login.guard';
import { CallbackExceptionFilter } from './callback-exception.filter';
import { CallbackQueryDto } from './callback-query.dto';
import { LoginState } from './login-state';
import { LoginQueryDto } from './login-query.dto';
import { LoginService } from './login.service';
import { NO_STORE_HEADERS } from './no-store';
import { OverHttps, VerifiedLoginState } from './request.decorators';
import { StateGuard } from './state.guard';
import { StateCookieService } from './state-cookie.service';

const FOUND = 302;

/** The browser flow: a web app sends the user to `/login`; Spotify sends them back to `/callback`. */
@Controller()
@UseGuards(BrowserLoginGuard)
@UsePipes(oauthValidationPipe)
export class AuthController {
  constructor(
    private readonly login: LoginService,
    private readonly stateCookie: StateCookieService,
  ) {}

  /** Refusals here (bad `return_to`, unknown scope) are JSON: nothing has been redirected yet. */
  @Get('login')
  @UseGuards(RateLimitGuard)
  @Redirect()
  start(
    @Query() query: LoginQueryDto,
    @OverHttps() secure: boolean,
    @Res({ passthrough: true }) response: Response,
  ): HttpRedirectResponse {
    const { authorizeUrl, state } = this.login.start(query);
    this.stateCookie.issue(response, secure, state);
    response.set(NO_STORE_HEADERS);
    return { url: authorizeUrl, statusCode: FOUND };
  }

  @Get('callback')
  @UseGuards(StateGuard)
  @UseFilters(CallbackExceptionFilter)
  @Redirect()
  async finish(
    @Query() query: CallbackQueryDto,
    @VerifiedLoginState() state: LoginState,
    @OverHttps() secure: boolean,
    @Res({ passthrough: true }) response: Response,
  ): Promise<HttpRedirectResponse> {
    if (query.error !== undefined) throw new AuthorizationRefusedError(query.error);
    // The DTO guarantees a code whenever there is no error.
    const landing = await this.login.finish(query.code as string, state);
    this.stateCookie.clear(response, secure);
    response.set(NO_STORE_HEADERS);
    return { url: landing, statusCode: FOUND };
  }
}
