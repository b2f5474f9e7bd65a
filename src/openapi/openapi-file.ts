import { INestApplication } from '@nestjs/common';
import { createOpenApiDocument } from './openapi.document';

/** The committed description, at the repository root. */
export const OPENAPI_FILE = 'openapi.json';

/**
 * The environment openapi.json is generated under: every feature on (so every route and its
 * answers are described), fake values, no network.
 */
export const OPENAPI_ENVIRONMENT: Record<string, string> = {
  NODE_ENV: 'test',
  CLIENT_ID: 'openapi-client-id',
  CLIENT_SECRET: 'openapi-client-secret',
  ENCRYPTION_SECRET: 'openapi-generation-secret-0123456789abcdef',
  CALLBACK_URL: 'myapp://callback',
  FINAL_URI: 'https://app.example.com/',
  LOG_LEVEL: 'silent',
};

/** The file's exact text: stable key order as generated, two-space indent, final newline. */
export function renderOpenApi(app: INestApplication): string {
  return `${JSON.stringify(createOpenApiDocument(app), null, 2)}\n`;
}
