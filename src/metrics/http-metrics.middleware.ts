import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { forgetAnswered } from '../common/latest-answer';
import { MetricsService } from './metrics.service';
import { routeTemplateOf } from './route-template';

/**
 * Times every request and counts it by route template once the answer is sent (and then lets the
 * connection forget it: see `forgetAnswered`). Mounted before the body parser and the routes, so
 * body-parser refusals and 404s are counted too.
 */
export function httpMetrics(metrics: MetricsService): RequestHandler {
  return (request: Request, response: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    response.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.observeHttp(request.method, routeTemplateOf(request), response.statusCode, seconds);
      // Here rather than in a listener of its own: one more per response costs a tenth of a /refresh.
      forgetAnswered(request, response);
    });
    next();
  };
}
