import { Body, Controller, Header, HttpCode, Post, UseGuards, UsePipes } from '@nestjs/common';
import { FormOrJsonGuard } from '../common/content-type.guard';
import { oauthValidationPipe } from '../common/oauth-validation.pipe';
import { SpotifyTokens } from '../spotify/spotify-tokens';
import { RefreshRequestDto } from './refresh-request.dto';
import { SwapRequestDto } from './swap-request.dto';
import { TokenService } from './token.service';

/**
 * The Spotify iOS SDK's `tokenSwapURL` / `tokenRefreshURL`, plus the paths of the most used
 * Ruby swap service so its clients switch without a rebuild.
 */
@Controller()
@UseGuards(FormOrJsonGuard)
@UsePipes(oauthValidationPipe)
export class TokenController {
  constructor(private readonly tokens: TokenService) {}

  @Post(['swap', 'api/token'])
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  swap(@Body() request: SwapRequestDto): Promise<SpotifyTokens> {
    return this.tokens.swap(request);
  }

  @Post(['refresh', 'api/refresh_token'])
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  refresh(@Body() request: RefreshRequestDto): Promise<SpotifyTokens> {
    return this.tokens.refresh(request);
  }
}
