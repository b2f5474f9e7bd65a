import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { MetricsService } from './metrics.service';
import { routeTemplateOf } from './route-template';

/**
 * Times every request and counts it by route template once the answer is sent. Mounted
 * before the body parser and the routes, so body-parser refusals and 404s are counted too.
 */
export function httpMetrics(metrics: MetricsService): RequestHandler {
  return (request: Request, response: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    response.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.observeHttp(request.method, routeTemplateOf(request), response.statusCode, seconds);
    });
    next();
  };
}
