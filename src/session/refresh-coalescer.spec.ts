import { deferred } from '../../test/support/deferred';
import { RefreshCoalescer } from './refresh-coalescer';

describe('RefreshCoalescer', () => {
  let now: number;
  let coalescer: RefreshCoalescer<string>;
  let calls: number;
  const GRACE_MS = 10_000;

  beforeEach(() => {
    now = 1_700_000_000_000;
    coalescer = new RefreshCoalescer<string>(GRACE_MS, () => now);
    calls = 0;
  });

  const counted = (refresh: () => Promise<string>) => () => {
    calls += 1;
    return refresh();
  };

  it('shares one refresh among callers with the same token while it is in flight', async () => {
    const pending = deferred<string>();
    const results = [1, 2, 3].map(() => coalescer.run('token-a', counted(() => pending.promise)));
    pending.resolve('renewed');
    expect(await Promise.all(results)).toEqual(['renewed', 'renewed', 'renewed']);
    expect(calls).toBe(1);
  });

  it('keeps tokens apart', async () => {
    const results = await Promise.all([
      coalescer.run('token-a', counted(async () => 'a')),
      coalescer.run('token-b', counted(async () => 'b')),
    ]);
    expect(results).toEqual(['a', 'b']);
    expect(calls).toBe(2);
  });

  it('answers a late caller with the old token from the settled refresh, within the grace period only', async () => {
    await coalescer.run('token-a', counted(async () => 'first'));
    now += GRACE_MS;
    expect(await coalescer.run('token-a', counted(async () => 'second'))).toBe('first');
    now += 1;
    expect(await coalescer.run('token-a', counted(async () => 'third'))).toBe('third');
    expect(calls).toBe(2);
  });

  it('shares a failure with the callers in flight, then forgets it so the next call tries again', async () => {
    const pending = deferred<string>();
    const results = [1, 2].map(() => coalescer.run('token-a', counted(() => pending.promise)));
    pending.reject(new Error('upstream down'));
    for (const result of results) await expect(result).rejects.toThrow('upstream down');
    expect(coalescer.size).toBe(0);
    expect(await coalescer.run('token-a', counted(async () => 'recovered'))).toBe('recovered');
    expect(calls).toBe(2);
  });

  it('holds nothing once the grace period is over', async () => {
    await Promise.all(['a', 'b', 'c'].map((token) => coalescer.run(token, async () => token)));
    expect(coalescer.size).toBe(3);
    now += GRACE_MS + 1;
    expect(coalescer.size).toBe(0);
  });
});
