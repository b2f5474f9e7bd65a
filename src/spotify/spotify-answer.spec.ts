import { AxiosError, CanceledError } from 'axios';
import { OAuthError } from '../common/oauth.error';
import { interpretTokenAnswer, interpretTransportFailure } from './spotify-answer';

const JSON_TYPE = 'application/json; charset=utf-8';

function failureOf(run: () => unknown): OAuthError {
  try {
    run();
  } catch (error) {
    if (error instanceof OAuthError) return error;
    throw error;
  }
  throw new Error('expected an OAuthError');
}

describe('interpretTokenAnswer', () => {
  it('keeps Spotify fields and makes expires_in a number', () => {
    const tokens = interpretTokenAnswer(
      200,
      JSON_TYPE,
      JSON.stringify({ access_token: 'at', token_type: 'Bearer', expires_in: '3600', scope: 's', extra: true }),
    );
    expect(tokens).toEqual({ access_token: 'at', token_type: 'Bearer', expires_in: 3600, scope: 's', extra: true });
  });

  it('passes on unknown fields only when they are plain values: a nested one could be thousands deep', () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const tokens = interpretTokenAnswer(
      200,
      JSON_TYPE,
      `{"access_token":"at","expires_in":3600,"note":"kept","ratio":0.5,"nested":${deep},"object":{"a":1},"nothing":null}`,
    );
    expect(tokens).toEqual({ access_token: 'at', token_type: 'Bearer', expires_in: 3600, note: 'kept', ratio: 0.5 });
  });

  it.each<[string, string | string[] | undefined, Record<string, string>]>([
    ['seconds are passed on', '17', { 'Retry-After': '17' }],
    ['an HTTP date is passed on', 'Wed, 02 Dec 2026 12:00:00 GMT', { 'Retry-After': 'Wed, 02 Dec 2026 12:00:00 GMT' }],
    ['negative seconds are dropped', '-5', {}],
    ['more than ten digits are dropped', '99999999999999999999', {}],
    ['text is dropped', 'abc; <script>', {}],
    ['a date-shaped string that is no date is dropped', 'Wed, 45 Foo 2026 99:00:00 GMT', {}],
    ['a header sent twice is dropped', ['5', '6'], {}],
  ])("Spotify's Retry-After: %s", (_case, retryAfter, headers) => {
    expect(failureOf(() => interpretTokenAnswer(429, 'text/plain', '', retryAfter)).headers).toEqual(headers);
  });

  it.each<[string, number, string | undefined, string, number, string, Record<string, string>]>([
    ['OAuth 400 passed through', 400, JSON_TYPE, '{"error":"invalid_grant","error_description":"Invalid authorization code"}', 400, 'invalid_grant', {}],
    ['OAuth 401 passed through', 401, JSON_TYPE, '{"error":"invalid_client","error_description":"Invalid client"}', 401, 'invalid_client', {}],
    ['rate limit', 429, JSON_TYPE, '{"error":{"status":429,"message":"API rate limit exceeded"}}', 429, 'temporarily_unavailable', { 'Retry-After': '7' }],
    ['5xx', 503, 'text/html', '<html>down</html>', 502, 'upstream_error', {}],
    ['500 with JSON', 500, JSON_TYPE, '{"error":"server_error"}', 502, 'upstream_error', {}],
    ['non-JSON 200', 200, 'text/html', '<html>hi</html>', 502, 'upstream_error', {}],
    ['truncated JSON', 200, JSON_TYPE, '{"access_token":"a', 502, 'upstream_error', {}],
    ['JSON without token', 200, JSON_TYPE, '{"foo":1}', 502, 'upstream_error', {}],
    ['JSON array', 200, JSON_TYPE, '[]', 502, 'upstream_error', {}],
    ['no numeric expires_in', 200, JSON_TYPE, '{"access_token":"a","expires_in":"soon"}', 502, 'upstream_error', {}],
    ['expires_in null (Number() would make it 0)', 200, JSON_TYPE, '{"access_token":"a","expires_in":null}', 502, 'upstream_error', {}],
    ['expires_in true (Number() would make it 1)', 200, JSON_TYPE, '{"access_token":"a","expires_in":true}', 502, 'upstream_error', {}],
    ['expires_in negative', 200, JSON_TYPE, '{"access_token":"a","expires_in":-5}', 502, 'upstream_error', {}],
    ['expires_in past a year (1e308 would make a session expire at Infinity)', 200, JSON_TYPE, '{"access_token":"a","expires_in":1e308}', 502, 'upstream_error', {}],
    ['expires_in as digits past a year', 200, JSON_TYPE, '{"access_token":"a","expires_in":"31536001"}', 502, 'upstream_error', {}],
    ['expires_in a fraction', 200, JSON_TYPE, '{"access_token":"a","expires_in":3600.5}', 502, 'upstream_error', {}],
    ['scope a number', 200, JSON_TYPE, '{"access_token":"a","expires_in":3600,"scope":5}', 502, 'upstream_error', {}],
    ['scope an object (a URL would carry [object Object])', 200, JSON_TYPE, '{"access_token":"a","expires_in":3600,"scope":{}}', 502, 'upstream_error', {}],
    ['refresh_token null', 200, JSON_TYPE, '{"access_token":"a","expires_in":3600,"refresh_token":null}', 502, 'upstream_error', {}],
    ['refresh_token a number', 200, JSON_TYPE, '{"access_token":"a","expires_in":3600,"refresh_token":12345}', 502, 'upstream_error', {}],
    ['refresh_token empty', 200, JSON_TYPE, '{"access_token":"a","expires_in":3600,"refresh_token":""}', 502, 'upstream_error', {}],
    ['Web API error shape on 4xx', 401, JSON_TYPE, '{"error":{"status":401,"message":"No token"}}', 502, 'upstream_error', {}],
    ['redirect', 302, JSON_TYPE, '{}', 502, 'upstream_error', {}],
  ])('%s', (_case, status, type, body, expectedStatus, expectedError, expectedHeaders) => {
    const error = failureOf(() => interpretTokenAnswer(status, type, body, '7'));
    expect(error.status).toBe(expectedStatus);
    expect(error.error).toBe(expectedError);
    expect(error.headers).toEqual(expectedHeaders);
  });

  it('a 429 without Retry-After is still temporarily_unavailable, with no Retry-After of our own', () => {
    const error = failureOf(() => interpretTokenAnswer(429, 'text/plain', 'Too Many Requests'));
    expect([error.status, error.error, error.headers]).toEqual([429, 'temporarily_unavailable', {}]);
  });

  it.each<[string, string, string | undefined]>([
    ['a refused grant is the user\'s business: not logged', 'invalid_grant', undefined],
    ['refused client credentials are the operator\'s: a detail for the log', 'invalid_client', 'check CLIENT_ID and CLIENT_SECRET'],
    ['an app not allowed this grant type is the operator\'s too', 'unauthorized_client', 'check CLIENT_ID and CLIENT_SECRET'],
  ])('%s', (_case, code, detail) => {
    const error = failureOf(() => interpretTokenAnswer(400, JSON_TYPE, JSON.stringify({ error: code, error_description: 'x' })));
    expect(error.error).toBe(code);
    if (detail === undefined) expect(error.detail).toBeUndefined();
    else expect(error.detail).toContain(detail);
  });

  it.each<[string, unknown, string]>([
    ['a plain phrase is kept', 'Invalid refresh token', 'Invalid refresh token'],
    ['with its punctuation', "code_verifier was incorrect: it doesn't match (PKCE).", "code_verifier was incorrect: it doesn't match (PKCE)."],
    ['none: the code stands in', undefined, 'invalid_grant'],
    ['not a string', { text: 'x' }, 'invalid_grant'],
    ['empty', '', 'invalid_grant'],
    ['over 200 characters', 'Invalid '.repeat(30), 'invalid_grant'],
    ['an echoed form', 'grant_type=refresh_token&refresh_token=AQBx', 'invalid_grant'],
    ['an echoed header', `Authorization: Basic ${Buffer.from(`${'1a'.repeat(16)}:${'2b'.repeat(16)}`).toString('base64')}`, 'invalid_grant'],
    ['a token-like run', `Token ${'A'.repeat(40)} revoked`, 'invalid_grant'],
    ['markup', '<b>Invalid</b>', 'invalid_grant'],
    ['a line break', 'Invalid\nrefresh token', 'invalid_grant'],
  ])('Spotify\'s error_description, %s', (_case, description, expected) => {
    const error = failureOf(() => interpretTokenAnswer(400, JSON_TYPE, JSON.stringify({ error: 'invalid_grant', error_description: description })));
    expect(error.description).toBe(expected);
  });

  it('never echoes an upstream body that is not OAuth-shaped', () => {
    const error = failureOf(() => interpretTokenAnswer(500, 'text/html', '<html>secret stack</html>'));
    expect(JSON.stringify(error.toBody())).not.toContain('secret stack');
  });
});

describe('interpretTransportFailure', () => {
  it('maps an abort (our deadline) to 504 upstream_timeout', () => {
    const error = interpretTransportFailure(new CanceledError(), 1500);
    expect([error.status, error.error, error.description]).toEqual([504, 'upstream_timeout', 'Spotify Accounts did not answer within 1500 ms']);
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'ERR_BAD_RESPONSE'])('maps %s to 502 upstream_error', (code) => {
    const error = interpretTransportFailure(new AxiosError('boom', code), 1500);
    expect([error.status, error.error]).toEqual([502, 'upstream_error']);
  });
});
