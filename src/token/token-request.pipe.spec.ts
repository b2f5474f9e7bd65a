import { ArgumentMetadata, Type } from '@nestjs/common';
import { OAuthError } from '../common/oauth.error';
import { oauthValidationPipe } from '../common/oauth-validation.pipe';
import { RefreshRequestDto } from './refresh-request.dto';
import { SwapRequestDto } from './swap-request.dto';
import { TokenRequestPipe } from './token-request.pipe';

const VERIFIER = 'v'.repeat(43);

/** What a pipe made of the input: the DTO it returned, or the message it refused with. */
async function outcome(run: () => unknown): Promise<unknown> {
  try {
    const dto = await run();
    return { dto, isInstance: dto instanceof Object && dto.constructor.name };
  } catch (error) {
    return { error: error instanceof OAuthError ? error.toBody() : String(error) };
  }
}

describe('TokenRequestPipe gives what the decorators and ValidationPipe give', () => {
  const cases: Array<[Type<unknown>, unknown]> = [
    ...[undefined, null, 'code=abc', 42, [], [1, 2], {}].map((body): [Type<unknown>, unknown] => [SwapRequestDto, body]),
    ...[
      { code: 'abc' },
      { code: '' },
      { code: null },
      { code: 0 },
      { code: 42 },
      { code: [] },
      { code: ['abc'] },
      { code: {} },
      { code: true },
      { code: 'c'.repeat(1024) },
      { code: 'c'.repeat(1025) },
      { code: '😀'.repeat(600) },
      { code: 'abc', client_id: 'ignored', grant_type: 'authorization_code' },
      { code: 'abc', redirect_uri: 'myapp://callback' },
      { code: 'abc', redirect_uri: '' },
      { code: 'abc', redirect_uri: null },
      { code: 'abc', redirect_uri: 42 },
      { code: 'abc', redirect_uri: ['myapp://callback'] },
      { code: 'abc', redirect_uri: 'r'.repeat(2049) },
      { code: 'abc', code_verifier: VERIFIER },
      { code: 'abc', code_verifier: 'short' },
      { code: 'abc', code_verifier: 'v'.repeat(129) },
      { code: 'abc', code_verifier: `${VERIFIER}!` },
      { code: 'abc', code_verifier: 7 },
      { code: 'abc', code_verifier: null },
      { code: 'abc', code_verifier: '' },
      { code: '', code_verifier: 'short', redirect_uri: 5 },
      { redirect_uri: 5, code_verifier: 'short' },
      { code: 'abc', redirect_uri: 5, code_verifier: 'short' },
    ].map((body): [Type<unknown>, unknown] => [SwapRequestDto, body]),
    ...[
      undefined,
      [],
      {},
      { refresh_token: 'sealed' },
      { refresh_token: '' },
      { refresh_token: null },
      { refresh_token: { $ne: 1 } },
      { refresh_token: ['a', 'b'] },
      { refresh_token: 12 },
      { refresh_token: 't'.repeat(4096) },
      { refresh_token: 't'.repeat(4097) },
      { refresh_token: 'sealed', client_id: 'ignored' },
    ].map((body): [Type<unknown>, unknown] => [RefreshRequestDto, body]),
  ];

  const named = cases.map(([metatype, body]): [string, Type<unknown>, unknown] => [
    `${metatype.name} ${String(JSON.stringify(body)).slice(0, 70)}`,
    metatype,
    body,
  ]);

  it.each(named)('%s', async (_name, metatype, body) => {
    const metadata: ArgumentMetadata = { type: 'body', metatype };
    const fast = await outcome(() => new TokenRequestPipe().transform(structuredClone(body), metadata));
    const reference = await outcome(() => oauthValidationPipe.transform(structuredClone(body), metadata));
    expect(fast).toEqual(reference);
  });

  it('leaves other parameters alone', () => {
    const query = { code: 42 };
    expect(new TokenRequestPipe().transform(query, { type: 'query', metatype: SwapRequestDto })).toBe(query);
  });
});
