import { FaultQueue } from './emulator-faults';
import type { EmulatorFault } from './emulator.types';

describe('FaultQueue', () => {
  const unavailable: EmulatorFault = { kind: 'status', status: 503 };
  const reset: EmulatorFault = { kind: 'reset' };

  it('applies each fault to as many requests as asked, in injection order, then nothing', () => {
    const queue = new FaultQueue();
    queue.push(unavailable, 2);
    queue.push(reset, 1);
    expect(queue.pending).toBe(3);
    expect([queue.next(), queue.next(), queue.next(), queue.next()]).toEqual([unavailable, unavailable, reset, undefined]);
    expect(queue.pending).toBe(0);
  });

  it('forgets every queued fault on clear', () => {
    const queue = new FaultQueue();
    queue.push(unavailable, 5);
    queue.clear();
    expect(queue.next()).toBeUndefined();
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses times = %p', (times) => {
    expect(() => new FaultQueue().push(reset, times)).toThrow(RangeError);
  });
});
