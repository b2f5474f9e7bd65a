/**
 * When to ask a shared store that may be failing. While it answers, every check asks it. After
 * a failure that made the check wait (`slowMs` or more) it rests for `restMs`; then one check at
 * a time asks it, the others going without, until one gets an answer. A store that hangs (a
 * partition that drops packets) fails each check only at its command timeout: asking it on every
 * check would add that wait to every request. A failure that costs no wait (the client is not
 * connected yet, or reconnecting) is no reason to stop asking.
 */
export class RestingGate {
  private failing = false;
  private restsUntil = 0;
  private probing = false;

  constructor(
    private readonly restMs: number,
    private readonly slowMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * `ask`'s answer; `undefined` when the store must not be asked now, or when it failed (the
   * error goes to `onError`).
   */
  async attempt<T>(ask: () => Promise<T>, onError: (error: unknown) => void): Promise<T | undefined> {
    if (this.failing && (this.probing || this.now() < this.restsUntil)) return undefined;
    const probe = this.failing;
    this.probing ||= probe;
    const askedAt = this.now();
    try {
      const answer = await ask();
      this.failing = false;
      return answer;
    } catch (error) {
      const failedAt = this.now();
      if (failedAt - askedAt >= this.slowMs) {
        this.failing = true;
        this.restsUntil = failedAt + this.restMs;
      }
      onError(error);
      return undefined;
    } finally {
      if (probe) this.probing = false;
    }
  }
}
