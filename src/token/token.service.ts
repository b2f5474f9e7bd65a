import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InvalidGrantError, InvalidRequestError } from '../common/oauth.error';
import { spotifyConfig } from '../config/spotify.config';
import { CryptoService } from '../crypto/crypto.service';
import { MetricsService } from '../metrics/metrics.service';
import { SpotifyService } from '../spotify/spotify.service';
import { SpotifyTokens } from '../spotify/spotify-tokens';
import { RefreshRequestDto } from './refresh-request.dto';
import { SwapRequestDto } from './swap-request.dto';

/** The mobile SDK contract: codes become tokens, and refresh tokens only ever leave sealed. */
@Injectable()
export class TokenService {
  constructor(
    private readonly spotify: SpotifyService,
    private readonly crypto: CryptoService,
    private readonly metrics: MetricsService,
    @Inject(spotifyConfig.KEY) private readonly settings: ConfigType<typeof spotifyConfig>,
  ) {}

  async swap(request: SwapRequestDto): Promise<SpotifyTokens> {
    const redirectUri = this.redirectUriFor(request.redirect_uri);
    const tokens = await this.spotify.exchangeCode(request.code, redirectUri, request.code_verifier);
    return this.withSealedRefreshToken(tokens, tokens.refresh_token);
  }

  async refresh(request: RefreshRequestDto): Promise<SpotifyTokens> {
    const opened = this.crypto.open('refresh-token', request.refresh_token);
    if (!opened) {
      this.metrics.countRefreshTokenOpen(this.crypto.namesUnknownKey('refresh-token', request.refresh_token) ? 'unknown_key' : 'failed');
      throw new InvalidGrantError();
    }
    this.metrics.countRefreshTokenOpen(opened.sealedWithCurrentKey ? 'current' : 'previous');
    const tokens = await this.spotify.refreshAccessToken(opened.value);
    // Without a rotated token from Spotify, the caller's own token goes back resealed under the
    // current secret: that is how clients migrate off a secret being retired.
    return this.withSealedRefreshToken(tokens, tokens.refresh_token ?? opened.value);
  }

  private redirectUriFor(requested: string | undefined): string {
    // TokenSwapGuard has made sure there is at least one.
    const allowed = this.settings.callbackUrls;
    // JSON null passes @IsOptional(), and clients that fill every field of a form send an empty
    // one: a field not given, not a URL to look up.
    if (requested == null || requested === '') {
      return allowed[0];
    }
    if (!allowed.includes(requested)) {
      throw new InvalidRequestError('redirect_uri is not one of the registered callback URLs');
    }
    return requested;
  }

  private withSealedRefreshToken(tokens: SpotifyTokens, refreshToken: string | undefined): SpotifyTokens {
    if (refreshToken === undefined) {
      return tokens;
    }
    return { ...tokens, refresh_token: this.crypto.seal('refresh-token', refreshToken) };
  }
}
