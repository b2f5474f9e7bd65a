import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Resolves once `condition` holds, looking every 10 ms; fails naming `what` after `timeoutMs`,
 * so a test that times out does not leave a loop polling behind it.
 */
export async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(10);
  }
}
