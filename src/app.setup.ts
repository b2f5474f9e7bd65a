import { NestApplicationOptions } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import type { Server } from 'node:http';
import { clientErrorAnswerer } from './common/client-error';
import { noteLatestAnswer } from './common/latest-answer';
import { trustProxySetting } from './common/trust-proxy';
import { httpConfig } from './config/http.config';
import { ReadinessService } from './health/readiness.service';
import { assignRequestIds } from './logging/request-id';
import { httpMetrics } from './metrics/http-metrics.middleware';
import { MetricsService } from './metrics/metrics.service';
import { serveOpenApi } from './openapi/openapi.document';

/** Swagger UI loads its own scripts, styles and inline images: the API's `default-src 'none'` would blank it. */
const DOCS_CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

/** Options for `NestFactory.create` and `createNestApplication` alike, so tests boot what production boots. */
export const APPLICATION_OPTIONS: NestApplicationOptions = {
  // The token routes mount their own parsers (TokenModule, after the request logger) with the 16 KiB limit.
  bodyParser: false,
  // Start-up logs wait for pino instead of going to Nest's console logger.
  bufferLogs: true,
};

/**
 * A request, headers and body (16 KiB at most), must arrive within this long of its first byte
 * (on a new connection, of the connection opening). Node's default, five minutes, lets a client
 * that dribbles a body hold a socket that long; idle time between keep-alive requests does not
 * count (Node 18+).
 */
const REQUEST_TIMEOUT_MS = 15_000;

/** How often Node checks that deadline: its default, 30 s, let a 15 s deadline run to 45 s. */
const DEADLINE_CHECK_INTERVAL_MS = 1_000;

/** While draining, every answer closes its connection, so keep-alive clients move to another instance. */
function closeConnectionsWhileDraining(readiness: ReadinessService) {
  return (request: Request, response: Response, next: NextFunction) => {
    noteLatestAnswer(request, response);
    if (readiness.isShuttingDown) response.setHeader('Connection', 'close');
    next();
  };
}

/** Everything about the HTTP layer that modules cannot express. Called by main.ts and by e2e specs. */
export function configureApplication(app: NestExpressApplication): NestExpressApplication {
  const settings = app.get<ConfigType<typeof httpConfig>>(httpConfig.KEY);
  app.useLogger(app.get(Logger));
  app.set('trust proxy', trustProxySetting(settings.trustProxy));
  // ETags on token answers are wasted work: they are never cached (no-store).
  app.set('etag', false);
  app.use(assignRequestIds());
  app.use(httpMetrics(app.get(MetricsService)));
  app.use(closeConnectionsWhileDraining(app.get(ReadinessService)));
  app.use(
    helmet({
      // An API: nothing here is meant to be framed, embedded or to run scripts. Pages that
      // need more (the offline demo) set their own policy.
      contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
      crossOriginResourcePolicy: { policy: 'same-site' },
    }),
  );

  app.use('/docs', (_request: Request, response: Response, next: NextFunction) => {
    response.setHeader('Content-Security-Policy', DOCS_CONTENT_SECURITY_POLICY);
    next();
  });
  serveOpenApi(app, settings.apiDocs);

  const server = app.getHttpServer() as Server;
  app.get(ReadinessService).watch(server);
  server.keepAliveTimeout = settings.keepAliveTimeoutMs;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.headersTimeout = REQUEST_TIMEOUT_MS;
  // Read when the server starts listening; @types/node knows it only as a createServer option.
  Object.assign(server, { connectionsCheckingInterval: DEADLINE_CHECK_INTERVAL_MS });
  server.on('clientError', clientErrorAnswerer(REQUEST_TIMEOUT_MS));
  return app;
}
