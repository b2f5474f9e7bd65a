import express, { Request, RequestHandler, Response } from 'express';
import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import { BODY_LIMIT } from './body-limit';
import { bodyParser } from './body-parsers';
import { toOAuthError } from './oauth-exception.filter';

/** A request as the middleware sees it: a readable body and its headers. */
function requestOf(body: string | Buffer, headers: IncomingHttpHeaders): Request {
  const bytes = Buffer.from(body);
  return Object.assign(Readable.from([bytes]), {
    headers: { 'content-length': String(bytes.length), ...headers },
  }) as unknown as Request;
}

/** What `handlers` made of a request: the parsed body, or the OAuth error. */
async function outcome(handlers: RequestHandler[], request: Request): Promise<unknown> {
  for (const handler of handlers) {
    // Headers set on the answer (an over-limit body's Connection: close) are the e2e specs' to check.
    const response = { setHeader: () => undefined } as unknown as Response;
    const error = await new Promise<unknown>((resolve) => handler(request, response, resolve));
    if (error) return { error: toOAuthError(error).toBody(), status: toOAuthError(error).status };
  }
  return { body: request.body as unknown, prototype: request.body === undefined ? undefined : Object.getPrototypeOf(request.body) === Object.prototype };
}

/** What the app parsed with before: body-parser's JSON and form parsers. */
const reference: RequestHandler[] = [express.json({ limit: BODY_LIMIT }), express.urlencoded({ limit: BODY_LIMIT, extended: false })];

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

describe('bodyParser parses what body-parser parsed, as body-parser did', () => {
  const cases: Array<[string, string | Buffer, IncomingHttpHeaders]> = [
    ...[
      'code=abc',
      'code=abc&client_id=x&grant_type=authorization_code',
      'refresh_token=AQB-_x9',
      'code=a&code=b&code=c',
      'code=a+b%20c',
      'code=%E2%82%AC',
      'code=%zz',
      'code=%',
      'code=ok%20then%zz',
      'code',
      '=x&code=1',
      '&&code=1&',
      '__proto__=1&code=2',
      'constructor=1&hasOwnProperty=2',
      'co%64e=1&code=2',
      'x=a]=b',
      '[code]=abc',
      'a[]=1&a[]=2',
      '%5Bcode%5D=1',
      'code=%5Bzz%',
      'code=1;x=2',
      '',
      '\uFEFFcode=bom',
      Array.from({ length: 1001 }, (_, index) => `f${index}=1`).join('&'),
    ].map((body): [string, string, IncomingHttpHeaders] => [`form ${body.slice(0, 40)}`, body, { 'content-type': FORM }]),
    ['form with charset', 'code=abc', { 'content-type': `${FORM}; charset=utf-8` }],
    ['form with upper-case type', 'code=abc', { 'content-type': 'Application/X-WWW-Form-Urlencoded' }],
    ['form in latin-1', Buffer.from('code=caf\xe9', 'latin1'), { 'content-type': `${FORM}; charset=iso-8859-1` }],
    ['form in a charset nobody supports', 'code=abc', { 'content-type': `${FORM}; charset=koi8-r` }],
    ['form over the limit', `code=${'a'.repeat(17 * 1024)}`, { 'content-type': FORM }],
    ...[
      '{"code":"abc"}',
      '  \n{"code":"abc"}',
      '[1,2]',
      '{"code":42,"nested":{"a":[1]}}',
      '{"__proto__":{"x":1},"code":"a"}',
      '',
      '   ',
      '"code"',
      '42',
      'null',
      '{"code":',
      '{code:1}',
      '\uFEFF{"code":"bom"}',
    ].map((body): [string, string, IncomingHttpHeaders] => [`json ${body.slice(0, 40)}`, body, { 'content-type': JSON_TYPE }]),
    ['json with charset', '{"code":"abc"}', { 'content-type': `${JSON_TYPE}; charset=utf-8` }],
    ['json in utf-16', Buffer.from('{"code":"abc"}', 'utf16le'), { 'content-type': `${JSON_TYPE}; charset=utf-16` }],
    ['json over the limit', `{"code":"${'a'.repeat(17 * 1024)}"}`, { 'content-type': JSON_TYPE }],
    ['text', 'code=abc', { 'content-type': 'text/plain' }],
    ['no content type', 'code=abc', {}],
    ['chunked form', 'code=abc', { 'content-type': FORM, 'transfer-encoding': 'chunked', 'content-length': undefined }],
  ];

  it.each(cases)('%s', async (_name, body, headers) => {
    const fast = await outcome([bodyParser()], requestOf(body, headers));
    const expected = await outcome(reference, requestOf(body, headers));
    expect(fast).toEqual(expected);
  });

  it('leaves a request without a body alone', async () => {
    const request = Object.assign(Readable.from([]), { headers: { 'content-type': FORM } }) as unknown as Request;
    expect(await outcome([bodyParser()], request)).toEqual({ body: undefined, prototype: undefined });
  });
});
