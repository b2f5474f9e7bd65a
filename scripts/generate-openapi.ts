/**
 * `npm run openapi`: writes openapi.json from the controllers' decorators. The environment is
 * fixed and fake (nothing is called), so the file depends on the code alone.
 */
import { NestFactory } from '@nestjs/core';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPENAPI_ENVIRONMENT, OPENAPI_FILE, renderOpenApi } from '../src/openapi/openapi-file';
import { AppModule } from '../src/app.module';
import { APPLICATION_OPTIONS } from '../src/app.setup';
import { validateEnvironment } from '../src/config/environment';

async function generate(): Promise<void> {
  const app = await NestFactory.create(AppModule.forRoot(validateEnvironment(OPENAPI_ENVIRONMENT)), { ...APPLICATION_OPTIONS, logger: false, abortOnError: false });
  await app.init();
  writeFileSync(join(__dirname, '..', OPENAPI_FILE), renderOpenApi(app));
  await app.close();
}

generate().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
