import { Body, Controller, Header, HttpCode, Post, UseGuards, UsePipes } from '@nestjs/common';
import { FormOrJsonGuard } from '../common/content-type.guard';
import { RateLimitGuard } from '../rate-limit/rate-limit.guard';
import { oauthValidationPipe } from '../common/oauth-validation.pipe';
import { SpotifyTokens } from '../spotify/spotify-tokens';
import { RefreshRequestDto } from './refresh-request.dto';
import { SwapRequestDto } from './swap-request.dto';
import { TokenService } from './token.service';

const SWAP_ROUTES = ['swap', 'api/token'];
const REFRESH_ROUTES = ['refresh', 'api/refresh_token'];
export const TOKEN_ROUTES = [...SWAP_ROUTES, ...REFRESH_ROUTES];

/**
 * The Spotify iOS SDK's `tokenSwapURL` / `tokenRefreshURL`, plus the paths of the most used
 * Ruby swap service so its clients switch without a rebuild.
 */
@Controller()
@UseGuards(RateLimitGuard, FormOrJsonGuard)
@UsePipes(oauthValidationPipe)
export class TokenController {
  constructor(private readonly tokens: TokenService) {}

  @Post(SWAP_ROUTES)
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  swap(@Body() request: SwapRequestDto): Promise<SpotifyTokens> {
    return this.tokens.swap(request);
  }

  @Post(REFRESH_ROUTES)
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  refresh(@Body() request: RefreshRequestDto): Promise<SpotifyTokens> {
    return this.tokens.refresh(request);
  }
}
