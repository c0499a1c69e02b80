import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Retries `check` until it stops throwing: for outcomes that are eventually consistent by design
 * (prices from events). Fails with the last assertion error after `timeoutMs`.
 */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 15_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await sleep(intervalMs);
    }
  }
}
