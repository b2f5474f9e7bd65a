import { CanActivate, Injectable } from '@nestjs/common';
import { FeatureDisabledError } from '../common/oauth.error';
import { LandingPages } from './landing-pages';

/** Browser login follows configuration: without a FINAL_URI there is nowhere to land, so 501. */
@Injectable()
export class BrowserLoginGuard implements CanActivate {
  constructor(private readonly landingPages: LandingPages) {}

  canActivate(): boolean {
    if (!this.landingPages.configured) throw new FeatureDisabledError('Browser login', 'FINAL_URI');
    return true;
  }
}
