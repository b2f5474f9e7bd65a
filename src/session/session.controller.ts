import { Controller, Get, HttpCode, Post, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { NoStore } from '../common/no-store';
import { OverHttps } from '../common/over-https';
import { ApiOAuthErrors, ApiRequestId, NO_STORE_HEADER_DOCS, SLOW_DOWN, SPOTIFY_UNAVAILABLE } from '../openapi/api-responses';
import { CrossSiteGuard } from './cross-site.guard';
import { RefreshRateLimitGuard } from './refresh-rate-limit.guard';
import { SessionCookieService } from './session-cookie.service';
import { SessionExceptionFilter } from './session-exception.filter';
import { SessionModeGuard } from './session-mode.guard';
import { CurrentSession, PresentedSession } from './session-request';
import { SessionTokenResponse } from './session-token.response';
import { SessionGuard } from './session.guard';
import { SessionService } from './session.service';

/** Paths of the session routes, for the middleware (cookies, CORS) that only they get. */
export const SESSION_ROUTES = ['token', 'logout'];

const SESSION_COOKIE_HEADER = {
  'Set-Cookie': { description: 'The session cookie (spotify_session, __Host-spotify_session over HTTPS), when it changes', schema: { type: 'string' } },
};

/**
 * Session mode (`BROWSER_MODE=session`): the page asks `/token` for an access token whenever it
 * needs one and never sees the refresh token; `/logout` ends the session. Both only with the
 * CSRF checks passed; a GET never logs anyone out.
 */
@ApiTags('Session mode (web apps)')
@ApiRequestId()
@ApiHeader({ name: 'X-Requested-With', required: true, description: 'Any value: proves the request is not a cross-site form or link' })
@ApiHeader({ name: 'Cookie', required: false, description: 'The session cookie set by /callback in session mode' })
@ApiOAuthErrors(
  [403, 'invalid_request', 'No X-Requested-With, or an Origin that is neither this service nor in CORS_ORIGINS'],
  [501, 'server_error', 'BROWSER_MODE is not session'],
)
@Controller()
@UseGuards(SessionModeGuard, CrossSiteGuard)
@UseFilters(SessionExceptionFilter)
export class SessionController {
  constructor(
    private readonly sessions: SessionService,
    private readonly cookies: SessionCookieService,
  ) {}

  @Get('token')
  @ApiOperation({
    summary: 'An access token for the session cookie (session mode)',
    description: 'Answered from the cookie while the access token has over 60 s left; otherwise refreshed with Spotify and the cookie re-set.',
  })
  @ApiOkResponse({ type: SessionTokenResponse, headers: { ...NO_STORE_HEADER_DOCS, ...SESSION_COOKIE_HEADER }, description: 'No refresh token, ever' })
  @ApiOAuthErrors(
    [401, 'invalid_token', 'No session cookie, one that does not open (then cleared), or a session SESSION_MAX_AGE_DAYS past its last refresh (then cleared)'],
    [401, 'invalid_grant', 'Spotify revoked the session\'s refresh token; the cookie is cleared'],
    ...SPOTIFY_UNAVAILABLE,
    [502, 'upstream_error', "Spotify refused this service's own request (its client credentials): the session is kept"],
    SLOW_DOWN,
  )
  @UseGuards(SessionGuard, RefreshRateLimitGuard)
  @NoStore()
  async token(
    @CurrentSession() presented: PresentedSession,
    @OverHttps() secure: boolean,
    @Res({ passthrough: true }) response: Response,
  ): Promise<SessionTokenResponse> {
    const { answer, renewed } = await this.sessions.accessToken(presented);
    if (renewed !== undefined) this.cookies.issue(response, secure, renewed);
    return answer;
  }

  /** Spotify has no revocation endpoint: the refresh token stays valid there, but no browser holds it any more. */
  @Post('logout')
  @ApiOperation({ summary: 'End the session: clears the session cookie (session mode)' })
  @ApiResponse({ status: 204, description: 'Logged out (also when there was no session)', headers: SESSION_COOKIE_HEADER })
  @HttpCode(204)
  @NoStore()
  logout(@OverHttps() secure: boolean, @Res({ passthrough: true }) response: Response): void {
    this.cookies.clear(response, secure);
  }
}
