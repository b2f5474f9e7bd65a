import { CanActivate, Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { FeatureDisabledError } from '../common/oauth.error';
import { spotifyConfig } from '../config/spotify.config';

/**
 * Token swap follows configuration: without CALLBACK_URL there is no redirect URI to redeem a
 * code for, so a call is 501 before its fields or content type are judged (as /login is without
 * FINAL_URI). A body that cannot be read at all (bad JSON, over 16 KiB) is refused earlier, by
 * the body parser.
 */
@Injectable()
export class TokenSwapGuard implements CanActivate {
  constructor(@Inject(spotifyConfig.KEY) private readonly settings: ConfigType<typeof spotifyConfig>) {}

  canActivate(): boolean {
    if (this.settings.callbackUrls.length === 0) throw new FeatureDisabledError('Token swap', 'CALLBACK_URL');
    return true;
  }
}
