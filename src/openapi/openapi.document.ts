import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const { version } = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };

/**
 * The OpenAPI description, generated from the controllers' decorators so it cannot drift from
 * the code. `npm run openapi` writes it to openapi.json; the service serves it at /openapi.json.
 */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('Spotify Token Swap')
    .setDescription(
      'Holds a Spotify app\'s client secret and does the OAuth work for mobile SDKs (token swap and refresh) and web pages ' +
        '(browser login). Every error is JSON in the OAuth shape {error, error_description}.',
    )
    .setVersion(version)
    .setLicense('MIT', 'https://opensource.org/licenses/MIT')
    .addServer('/', 'This deployment')
    .build();
  // No route takes credentials in a header: callers authenticate with what they post (codes,
  // sealed tokens) or with cookies this service set. Said explicitly, so linters need not guess.
  return { ...SwaggerModule.createDocument(app, config), security: [] };
}

/** `/openapi.json` always; the interactive page at `/docs` only when `interactive`. */
export function serveOpenApi(app: INestApplication, interactive: boolean): void {
  SwaggerModule.setup('docs', app, () => createOpenApiDocument(app), {
    ui: interactive,
    raw: ['json'],
    jsonDocumentUrl: 'openapi.json',
  });
}
