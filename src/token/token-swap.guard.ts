import { CanActivate, Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { FeatureDisabledError } from '../common/oauth.error';
import { spotifyConfig } from '../config/spotify.config';

/**
 * Token swap follows configuration: without CALLBACK_URL there is no redirect URI to redeem a
 * code for, so every call is 501, whatever its body, before the body is judged.
 */
@Injectable()
export class TokenSwapGuard implements CanActivate {
  constructor(@Inject(spotifyConfig.KEY) private readonly settings: ConfigType<typeof spotifyConfig>) {}

  canActivate(): boolean {
    if (this.settings.callbackUrls.length === 0) throw new FeatureDisabledError('Token swap', 'CALLBACK_URL');
    return true;
  }
}
