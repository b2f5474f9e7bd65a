import { deferred } from '../../test/support/deferred';
import { RestingGate } from './resting-gate';

describe('RestingGate', () => {
  let time: number;
  let gate: RestingGate;
  let errors: unknown[];
  let asked: number;
  const attempt = <T>(answer: () => Promise<T>) =>
    gate.attempt(
      () => {
        asked += 1;
        return answer();
      },
      (error) => errors.push(error),
    );
  /** Fails the way a hung store does: after its 500 ms command timeout. */
  const failSlowly = () =>
    attempt(() => {
      time += 500;
      return Promise.reject(new Error('Command timed out'));
    });

  beforeEach(() => {
    time = 0;
    gate = new RestingGate(5000, 100, () => time);
    errors = [];
    asked = 0;
  });

  it('asks on every check, concurrent ones too, while the store answers', async () => {
    const first = deferred<string>();
    const second = deferred<string>();
    const both = Promise.all([attempt(() => first.promise), attempt(() => second.promise)]);
    first.resolve('a');
    second.resolve('b');
    expect(await both).toEqual(['a', 'b']);
    expect(asked).toBe(2);
  });

  it('after a failure, asks nothing until the rest is over, and reports the failure', async () => {
    expect(await failSlowly()).toBeUndefined();
    expect(errors).toEqual([new Error('Command timed out')]);
    time += 4999;
    expect(await attempt(() => Promise.resolve('a'))).toBeUndefined();
    expect(asked).toBe(1);
    time += 1;
    expect(await attempt(() => Promise.resolve('a'))).toBe('a');
  });

  it('after the rest, lets one check at a time ask until one gets an answer, then all again', async () => {
    await failSlowly();
    time += 5000;
    const probe = deferred<string>();
    const probing = attempt(() => probe.promise);
    expect(await attempt(() => Promise.resolve('meanwhile'))).toBeUndefined();
    probe.resolve('back');
    expect(await probing).toBe('back');
    const concurrent = await Promise.all([attempt(() => Promise.resolve('a')), attempt(() => Promise.resolve('b'))]);
    expect(concurrent).toEqual(['a', 'b']);
    expect(asked).toBe(4);
  });

  it('keeps asking after failures that cost no wait (a client not connected yet)', async () => {
    const refused = () => attempt(() => Promise.reject(new Error("Stream isn't writeable")));
    expect(await refused()).toBeUndefined();
    expect(await refused()).toBeUndefined();
    expect(await attempt(() => Promise.resolve('a'))).toBe('a');
    expect(asked).toBe(3);
    expect(errors).toHaveLength(2);
  });

  it('rests again when the probe fails too', async () => {
    await failSlowly();
    time += 5000;
    await failSlowly();
    time += 4999;
    expect(await attempt(() => Promise.resolve('a'))).toBeUndefined();
    expect(asked).toBe(2);
    expect(errors).toHaveLength(2);
  });
});
