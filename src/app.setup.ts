import { NestApplicationOptions } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { bodyParsers } from './common/body-parsers';

/** Options for `NestFactory.create` and `createNestApplication` alike, so tests boot what production boots. */
export const APPLICATION_OPTIONS: NestApplicationOptions = {
  // Our own parsers below carry the body limit; Nest's defaults would accept 100 KB.
  bodyParser: false,
};

/** Everything about the HTTP layer that modules cannot express. Called by main.ts and by e2e specs. */
export function configureApplication(app: NestExpressApplication): NestExpressApplication {
  app.disable('x-powered-by');
  // ETags on token answers are wasted work: they are never cached (no-store).
  app.set('etag', false);
  app.use(...bodyParsers());
  return app;
}
