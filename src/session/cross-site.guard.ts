import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import type { Request } from 'express';
import { CrossSiteRequestError } from '../common/oauth.error';
import { httpConfig } from '../config/http.config';
import { crossSiteRefusal, originOf, originRefusalDetail } from './cross-site-check';

/**
 * CSRF defence of `/token` and `/logout`, which act on whatever cookie the browser holds:
 * `X-Requested-With` must be there, and an `Origin` must be this service's own (as the browser
 * sees it: protocol and host honour TRUST_PROXY) or one of `CORS_ORIGINS`.
 */
@Injectable()
export class CrossSiteGuard implements CanActivate {
  constructor(@Inject(httpConfig.KEY) private readonly settings: ConfigType<typeof httpConfig>) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    const signals = {
      requestedWith: request.headers['x-requested-with'],
      origin: request.headers.origin,
      ownOrigin: originOf(request.protocol, request.host),
    };
    const refusal = crossSiteRefusal(signals, this.settings.corsOrigins);
    if (refusal === 'origin') throw new CrossSiteRequestError(refusal, { detail: originRefusalDetail(signals) });
    if (refusal !== undefined) throw new CrossSiteRequestError(refusal);
    return true;
  }
}
