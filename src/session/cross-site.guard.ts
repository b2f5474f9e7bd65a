import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import type { NextFunction, Request, Response } from 'express';
import { CrossSiteRequestError } from '../common/oauth.error';
import { httpConfig } from '../config/http.config';
import { MetricsService } from '../metrics/metrics.service';
import { crossSiteRefusal, CrossSiteSignals, isTrustedOrigin, originOf, originRefusalDetail } from './cross-site-check';

function signalsOf(request: Request): CrossSiteSignals {
  return {
    requestedWith: request.headers['x-requested-with'],
    origin: request.headers.origin,
    ownOrigin: originOf(request.protocol, request.host),
  };
}

/** Names the refused origin for the operator's log: a page CORS_ORIGINS misses is otherwise a bare 403 to every user. */
const originRefused = (signals: CrossSiteSignals) => new CrossSiteRequestError('origin', { detail: originRefusalDetail(signals) });

/**
 * CSRF defence of `/token` and `/logout`, which act on whatever cookie the browser holds:
 * `X-Requested-With` must be there, and an `Origin` must be this service's own (as the browser
 * sees it: protocol and host honour TRUST_PROXY) or one of `CORS_ORIGINS`.
 */
@Injectable()
export class CrossSiteGuard implements CanActivate {
  constructor(@Inject(httpConfig.KEY) private readonly settings: ConfigType<typeof httpConfig>) {}

  canActivate(context: ExecutionContext): boolean {
    const signals = signalsOf(context.switchToHttp().getRequest<Request>());
    const refusal = crossSiteRefusal(signals, this.settings.corsOrigins);
    if (refusal === 'origin') throw originRefused(signals);
    if (refusal !== undefined) throw new CrossSiteRequestError(refusal);
    return true;
  }
}

/**
 * Middleware after `cors` on the session routes. A cross-origin call there always asks first
 * (X-Requested-With makes it), and `cors` answers only a `CORS_ORIGINS` page's asking: any other
 * page's is refused as its call would be, 403 with the origin logged, instead of falling through
 * to a 404 that leaves the operator nothing to go on.
 */
export function refuseUntrustedPreflight(allowedOrigins: readonly string[], metrics: MetricsService) {
  return (request: Request, _response: Response, next: NextFunction): void => {
    if (request.method === 'OPTIONS') {
      const signals = signalsOf(request);
      if (!isTrustedOrigin(signals, allowedOrigins)) {
        // Counted as the session filter counts the call's own refusal: a browser stops here now.
        metrics.countSessionFailure('csrf_origin');
        throw originRefused(signals);
      }
    }
    next();
  };
}
