import { Body, Controller, HttpCode, Post, UseGuards, UsePipes } from '@nestjs/common';
import { ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { FORM_OR_JSON, FormOrJsonGuard } from '../common/form-or-json.guard';
import { NoStore } from '../common/no-store';
import { RateLimitGuard } from '../rate-limit/rate-limit.guard';
import {
  ApiOAuthErrors,
  ApiRequestId,
  ErrorCase,
  INVALID_REQUEST,
  NO_STORE_HEADER_DOCS,
  SLOW_DOWN,
  SPOTIFY_UNAVAILABLE,
  TOO_LARGE,
} from '../openapi/api-responses';
import { SpotifyTokens } from '../spotify/spotify-tokens';
import { RefreshRequestDto } from './refresh-request.dto';
import { SwapRequestDto } from './swap-request.dto';
import { TokenRequestPipe } from './token-request.pipe';
import { TokenSwapGuard } from './token-swap.guard';
import { TokenResponse } from './token.response';
import { TokenService } from './token.service';

const SWAP_ROUTES = ['swap', 'api/token'];
const REFRESH_ROUTES = ['refresh', 'api/refresh_token'];
export const TOKEN_ROUTES = [...SWAP_ROUTES, ...REFRESH_ROUTES];

const CREDENTIALS_REFUSED = "Spotify refused this service's client credentials, a configuration fault (Spotify's status: 400 for a wrong id or secret, 401 for none)";
/** What any call through Spotify can end in, besides the route's own refusals. */
const UPSTREAM_ERRORS: ErrorCase[] = [
  [400, 'invalid_grant', "Spotify refused the grant (Spotify's own error and description)"],
  [400, 'invalid_client', CREDENTIALS_REFUSED],
  [401, 'invalid_client', CREDENTIALS_REFUSED],
  ...SPOTIFY_UNAVAILABLE,
  SLOW_DOWN,
  [500, 'server_error', 'An unexpected fault (logged, never detailed)'],
];

/**
 * The Spotify iOS SDK's `tokenSwapURL` / `tokenRefreshURL`, plus the paths of the most used
 * Ruby swap service so its clients switch without a rebuild.
 */
@ApiTags('Token swap (mobile SDKs)')
@ApiRequestId()
@ApiOkResponse({ type: TokenResponse, headers: NO_STORE_HEADER_DOCS, description: "Spotify's token answer; refresh_token sealed" })
@Controller()
@UsePipes(new TokenRequestPipe())
export class TokenController {
  constructor(private readonly tokens: TokenService) {}

  @Post(SWAP_ROUTES)
  @ApiOperation({
    summary: 'Swap an authorization code for tokens (tokenSwapURL)',
    description: '`/api/token` is an alias. Unknown fields (client_id, grant_type) are ignored.',
  })
  @ApiOAuthErrors(INVALID_REQUEST, TOO_LARGE, ...UPSTREAM_ERRORS, [501, 'server_error', 'CALLBACK_URL is not set: token swap is off'])
  @ApiConsumes(...FORM_OR_JSON)
  @UseGuards(TokenSwapGuard, RateLimitGuard, FormOrJsonGuard)
  @HttpCode(200)
  @NoStore()
  swap(@Body() request: SwapRequestDto): Promise<SpotifyTokens> {
    return this.tokens.swap(request);
  }

  @Post(REFRESH_ROUTES)
  @ApiOperation({
    summary: 'Refresh an access token with a sealed refresh token (tokenRefreshURL)',
    description: '`/api/refresh_token` is an alias. The answer always carries a refresh_token to store.',
  })
  @ApiOAuthErrors(
    INVALID_REQUEST,
    [400, 'invalid_grant', 'The refresh token does not open (tampered, foreign, or sealed under a retired secret)'],
    TOO_LARGE,
    ...UPSTREAM_ERRORS,
  )
  @ApiConsumes(...FORM_OR_JSON)
  @UseGuards(RateLimitGuard, FormOrJsonGuard)
  @HttpCode(200)
  @NoStore()
  refresh(@Body() request: RefreshRequestDto): Promise<SpotifyTokens> {
    return this.tokens.refresh(request);
  }
}
