import type { Request } from 'express';
import { requestSlot } from './request-slot';

describe('requestSlot', () => {
  it('hands back what a guard attached, per request', () => {
    const slot = requestSlot<{ nonce: string }>('test:slot');
    const first = {} as Request;
    const second = {} as Request;
    slot.attach(first, { nonce: 'a' });
    expect(slot.of(first)).toEqual({ nonce: 'a' });
    expect(slot.of(second)).toBeUndefined();
  });

  it('keeps slots apart even under the same description', () => {
    const one = requestSlot<string>('same');
    const other = requestSlot<string>('same');
    const request = {} as Request;
    one.attach(request, 'one');
    expect([one.of(request), other.of(request)]).toEqual(['one', undefined]);
    expect(Object.keys(request)).toEqual([]);
  });
});
