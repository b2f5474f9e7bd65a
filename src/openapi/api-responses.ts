import { applyDecorators } from '@nestjs/common';
import { ApiHeader, ApiProperty, ApiResponse } from '@nestjs/swagger';
import { BODY_LIMIT_BYTES } from '../common/body-limit';

/** RFC 6749 §5.2: the only error shape this service answers with. */
export class OAuthErrorResponse {
  @ApiProperty({ description: 'OAuth error code', example: 'invalid_request' })
  error!: string;

  @ApiProperty({ description: 'Human-readable explanation; never carries secrets', example: 'code is required' })
  error_description!: string;
}

export const NO_STORE_HEADER_DOCS = {
  'Cache-Control': { description: 'Always `no-store`: token answers must not be cached', schema: { type: 'string', example: 'no-store' } },
  Pragma: { description: 'Always `no-cache`', schema: { type: 'string', example: 'no-cache' } },
  'X-Request-Id': { description: 'The caller\'s sane X-Request-Id, or a generated one', schema: { type: 'string' } },
} as const;

const RETRY_AFTER = {
  'Retry-After': {
    description: "When to retry: seconds (`slow_down`), or Spotify's own value, seconds or an HTTP date (`temporarily_unavailable`)",
    schema: { type: 'string', example: '30' },
  },
};

/** One documented error status: which OAuth codes it carries and why. */
export type ErrorCase = [status: number, codes: string, why: string];

export const INVALID_REQUEST: ErrorCase = [400, 'invalid_request', 'A field is missing or malformed, or the content type is wrong'];
export const TOO_LARGE: ErrorCase = [413, 'invalid_request', `The body is larger than ${BODY_LIMIT_BYTES / 1024} KiB`];
export const SLOW_DOWN: ErrorCase = [429, 'slow_down', 'This client exceeded RATE_LIMIT_PER_MINUTE (see Retry-After)'];

/** How a call through to Spotify can fail, whatever route made it. */
export const SPOTIFY_UNAVAILABLE: ErrorCase[] = [
  [429, 'temporarily_unavailable', 'Spotify is rate limiting this service (its Retry-After passed on)'],
  [502, 'upstream_error', 'Spotify answered with a 5xx, garbage, or dropped the connection'],
  [504, 'upstream_timeout', 'Spotify did not answer within UPSTREAM_TIMEOUT_MS'],
];

/** Documents error answers in the OAuth shape, with `Retry-After` on 429s. */
export function ApiOAuthErrors(...cases: ErrorCase[]): MethodDecorator & ClassDecorator {
  const byStatus = new Map<number, string[]>();
  for (const [status, codes, why] of cases) {
    byStatus.set(status, [...(byStatus.get(status) ?? []), `\`${codes}\`: ${why}`]);
  }
  return applyDecorators(
    ...[...byStatus].map(([status, lines]) =>
      ApiResponse({
        status,
        description: lines.join('; '),
        type: OAuthErrorResponse,
        headers: status === 429 ? { ...NO_STORE_HEADER_DOCS, ...RETRY_AFTER } : NO_STORE_HEADER_DOCS,
      }),
    ),
  );
}

/** `X-Request-Id` accepted on every route. */
export const ApiRequestId = () =>
  ApiHeader({ name: 'X-Request-Id', required: false, description: 'Echoed back; 1–128 of A-Z a-z 0-9 . _ : @ -' });
