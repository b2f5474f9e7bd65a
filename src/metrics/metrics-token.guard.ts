import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import type { Request } from 'express';
import { ScrapeUnauthorizedError } from '../common/oauth.error';
import { safeEqual } from '../common/safe-equal';
import { TOKEN68 } from '../config/environment';
import { httpConfig } from '../config/http.config';

/** `Bearer <token68>` and nothing else (RFC 6750 §2.1; the scheme in any case, one or more spaces as RFC 7235 allows). */
const BEARER_AUTHORIZATION = new RegExp(`^Bearer +(${TOKEN68})$`, 'i');

/**
 * With `METRICS_TOKEN` set, a scrape must bring it as a bearer token: for hosts with no private
 * address to scrape from (Heroku), where `/metrics` would otherwise tell anyone the login and
 * failure counts. Without it the route is open, for a network that keeps it private.
 */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  constructor(@Inject(httpConfig.KEY) private readonly settings: ConfigType<typeof httpConfig>) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.settings.metricsToken;
    if (expected === undefined) return true;
    const authorization = context.switchToHttp().getRequest<Request>().headers.authorization ?? '';
    const token = BEARER_AUTHORIZATION.exec(authorization)?.[1];
    if (token !== undefined && safeEqual(token, expected)) return true;
    throw new ScrapeUnauthorizedError();
  }
}
