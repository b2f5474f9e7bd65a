import { BadRequestException, Logger, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { FeatureDisabledError, InvalidGrantError, InvalidRequestError, NotReadyError, OAuthError, ServerError, SlowDownError } from './oauth.error';
import { logOAuthError, toOAuthError } from './oauth-exception.filter';

describe('toOAuthError', () => {
  it('passes our own errors through untouched', () => {
    const error = new InvalidGrantError();
    expect(toOAuthError(error)).toBe(error);
  });

  it.each<[string, unknown, number, string, string]>([
    ['malformed JSON', { type: 'entity.parse.failed', status: 400 }, 400, 'invalid_request', 'Request body is not valid JSON'],
    ['body too large', { type: 'entity.too.large', status: 413 }, 413, 'invalid_request', 'Request body is larger than 16kb'],
    ['bad charset', { type: 'charset.unsupported', status: 415 }, 400, 'invalid_request', 'Unsupported charset: send UTF-8'],
    ['a body that does not decompress', Object.assign(new Error('incorrect header check'), { status: 400, expose: true }), 400, 'invalid_request', 'Request body could not be read'],
    ['a body-parser fault without a message of ours', { type: 'entity.verify.failed', status: 403, expose: true }, 400, 'invalid_request', 'Request body could not be read'],
    ['an error that merely has a 4xx status', Object.assign(new Error('upstream said 400'), { status: 400 }), 500, 'server_error', 'The server could not handle the request'],
    ['Nest 404', new NotFoundException('Cannot GET /x'), 404, 'not_found', 'No such route'],
    ['Nest 413', new PayloadTooLargeException(), 413, 'invalid_request', 'Request body is larger than 16kb'],
    ['other Nest 4xx', new BadRequestException('detail'), 400, 'invalid_request', 'The request is not valid'],
    ['a path Express cannot percent-decode', Object.assign(new URIError("Failed to decode param 'x%zz'"), { status: 400 }), 400, 'invalid_request', 'The URL is not validly percent-encoded'],
    ['the same, as Nest hands it on', new BadRequestException("Failed to decode param 'x%zz'"), 400, 'invalid_request', 'The URL is not validly percent-encoded'],
    ['a bug', new TypeError('x is undefined'), 500, 'server_error', 'The server could not handle the request'],
    ['a thrown string', 'oops', 500, 'server_error', 'The server could not handle the request'],
  ])('%s', (_case, exception, status, code, description) => {
    const error = toOAuthError(exception);
    expect(error.toBody()).toEqual({ error: code, error_description: description });
    expect(error.status).toBe(status);
  });

  it('keeps the detail of a bug, with where it was thrown, for the log, never for the body', () => {
    const error = toOAuthError(new TypeError('secret internals'));
    expect(error.detail).toMatch(/^TypeError: secret internals\n\s+at .*oauth-exception\.filter\.spec\.ts:\d+/);
    expect(JSON.stringify(error.toBody())).not.toContain('secret internals');
    expect(JSON.stringify(error.toBody())).not.toContain('.spec.ts');
  });
});

describe('logOAuthError', () => {
  it.each<[string, OAuthError, 'error' | 'warn' | undefined]>([
    ['a server fault is an error', new ServerError('TypeError: x is undefined'), 'error'],
    ['a refusal with a detail is a warning', new InvalidRequestError('The request is not valid', { detail: 'why' }), 'warn'],
    ['a plain refusal is not logged', new InvalidGrantError(), undefined],
    ['a draining instance answering its readiness probe is not logged', new NotReadyError(), undefined],
    ['a route its configuration turned off (501) is a warning', new FeatureDisabledError('Browser login', 'FINAL_URI'), 'warn'],
  ])('%s', (_case, error, level) => {
    const logger = { error: jest.fn(), warn: jest.fn() } as unknown as Logger;
    logOAuthError(logger, error);
    expect(logger.error).toHaveBeenCalledTimes(level === 'error' ? 1 : 0);
    expect(logger.warn).toHaveBeenCalledTimes(level === 'warn' ? 1 : 0);
  });
});

describe('SlowDownError', () => {
  it.each([
    [0, '1'],
    [1, '1'],
    [42, '42'],
  ])('asks to wait %i s as Retry-After %s: never 0, which clients read as "retry at once", in a loop', (seconds, header) => {
    expect(new SlowDownError(seconds).headers).toMatchObject({ 'Retry-After': header });
  });
});
