import { randomToken } from '../common/random-token';
import { OneTimeStore } from './one-time-store';

describe('OneTimeStore', () => {
  let time: number;
  let store: OneTimeStore<string>;

  beforeEach(() => {
    time = 1_000_000;
    store = new OneTimeStore<string>(10_000, () => time);
  });

  it('gives a value back once', () => {
    const key = store.put('grant');
    expect(store.take(key)).toBe('grant');
    expect(store.take(key)).toBeUndefined();
  });

  it('returns undefined for a key it never issued', () => {
    expect(store.take('never-issued')).toBeUndefined();
  });

  it.each([
    ['just before the TTL', 9_999, 'grant'],
    ['at the TTL', 10_000, undefined],
    ['after the TTL', 60_000, undefined],
  ])('%s the value is %s', (_case, elapsed, expected) => {
    const key = store.put('grant');
    time += elapsed;
    expect(store.take(key)).toBe(expected);
  });

  it('prunes expired entries when a new one is put, keeping live ones', () => {
    const old = store.put('old');
    time += 5_000;
    const younger = store.put('younger');
    time += 5_000;
    store.put('new');
    expect(store.size).toBe(2);
    expect(store.take(old)).toBeUndefined();
    expect(store.take(younger)).toBe('younger');
  });

  it('issues distinct base64url keys of 32 random bytes', () => {
    const keys = new Set(Array.from({ length: 100 }, () => randomToken()));
    expect(keys.size).toBe(100);
    for (const key of keys) expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
