import { createHash } from 'node:crypto';

interface Refresh<T> {
  result: Promise<T>;
  /** Epoch milliseconds; unset while the refresh is in flight. */
  settledAt?: number;
}

/**
 * One refresh per refresh token at a time, within this instance. Several tabs asking `/token`
 * at once all carry the same cookie; with a rotating upstream, a second refresh with that token
 * would find it already replaced and fail with `invalid_grant`, logging the user out. So every
 * caller with the same token shares one refresh, and callers that arrive shortly after it
 * (a tab whose request left before the new cookie was stored) get its result too.
 *
 * Not a session store: entries live for one refresh plus `graceMs`, keyed by a hash so no
 * refresh token sits in memory as a key. A failed refresh is forgotten at once, so the next
 * call tries again. Instances do not share this: see the README's multi-instance note.
 */
export class RefreshCoalescer<T> {
  private readonly refreshes = new Map<string, Refresh<T>>();

  constructor(
    private readonly graceMs: number,
    private readonly now: () => number,
  ) {}

  /** `refresh()`'s result, shared with every other caller for `refreshToken` in flight or settled within `graceMs`. */
  run(refreshToken: string, refresh: () => Promise<T>): Promise<T> {
    this.forgetSettled();
    const key = createHash('sha256').update(refreshToken).digest('base64url');
    const known = this.refreshes.get(key);
    if (known !== undefined) return known.result;

    const entry: Refresh<T> = { result: refresh() };
    this.refreshes.set(key, entry);
    entry.result.then(
      () => (entry.settledAt = this.now()),
      () => this.refreshes.delete(key),
    );
    return entry.result;
  }

  /** Refreshes in flight or settled within the grace period; for tests and sanity checks. */
  get size(): number {
    this.forgetSettled();
    return this.refreshes.size;
  }

  private forgetSettled(): void {
    const now = this.now();
    for (const [key, entry] of this.refreshes) {
      if (entry.settledAt !== undefined && now - entry.settledAt > this.graceMs) this.refreshes.delete(key);
    }
  }
}
