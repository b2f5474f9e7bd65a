import { CanActivate, Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { FeatureDisabledError } from '../common/oauth.error';
import { sessionConfig } from '../config/session.config';

/** `/token` and `/logout` follow configuration: in tokens mode there is no session to serve, so 501 naming the switch. */
@Injectable()
export class SessionModeGuard implements CanActivate {
  constructor(@Inject(sessionConfig.KEY) private readonly settings: ConfigType<typeof sessionConfig>) {}

  canActivate(): boolean {
    if (this.settings.mode !== 'session') throw new FeatureDisabledError('Session mode', 'BROWSER_MODE=session');
    return true;
  }
}
