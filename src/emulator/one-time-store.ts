import { randomToken } from '../common/random-token';

/**
 * Values handed out under a random key that can be taken back once, before they expire.
 * Authorization codes and pending consent requests both live by these rules.
 */
export class OneTimeStore<T> {
  private readonly entries = new Map<string, { value: T; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  /** Number of entries held, expired ones not yet pruned included. */
  get size(): number {
    return this.entries.size;
  }

  put(value: T): string {
    this.pruneExpired();
    const key = randomToken();
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
    return key;
  }

  /** The value, or undefined when unknown, already taken or expired; a key works once. */
  take(key: string): T | undefined {
    const entry = this.entries.get(key);
    this.entries.delete(key);
    if (!entry || this.now() >= entry.expiresAt) return undefined;
    return entry.value;
  }

  /** Forgets every entry, as if all had expired. */
  clear(): void {
    this.entries.clear();
  }

  // Every entry gets the same TTL, so insertion order is expiry order: stop at the first live one.
  private pruneExpired(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now) break;
      this.entries.delete(key);
    }
  }
}
