import { CanActivate, Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { NotFoundError } from '../common/oauth.error';
import { OFFLINE_CLIENT } from '../config/development-defaults';
import { httpConfig } from '../config/http.config';
import { spotifyConfig } from '../config/spotify.config';

/**
 * The demo page exists only while the service runs against the offline emulator (the emulator's
 * client, outside production): its script calls the emulator's `/v1/me`, and a real deployment
 * has its own landing page.
 */
@Injectable()
export class OfflineDemoGuard implements CanActivate {
  private readonly enabled: boolean;

  constructor(
    @Inject(spotifyConfig.KEY) spotify: ConfigType<typeof spotifyConfig>,
    @Inject(httpConfig.KEY) http: ConfigType<typeof httpConfig>,
  ) {
    this.enabled = spotify.clientId === OFFLINE_CLIENT.clientId && !http.production;
  }

  canActivate(): boolean {
    if (!this.enabled) throw new NotFoundError();
    return true;
  }
}
