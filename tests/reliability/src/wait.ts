/** Options of `waitUntil`. */
export interface WaitOptions {
  /** Give up after this long. Default 30 000 ms. */
  timeoutMs?: number;
  /** Look again this often. Default 50 ms. */
  intervalMs?: number;
  /** What the error says when time runs out. */
  message?: string | (() => string | Promise<string>);
}

/**
 * Resolves once `predicate` holds, checking every `intervalMs`; rejects past `timeoutMs`.
 * Tests wait on conditions like this, not on fixed sleeps.
 *
 * @example
 * ```ts
 * await waitUntil(async () => (await queue.stats()).active === 0, { timeoutMs: 10_000 });
 * ```
 */
export async function waitUntil(
  predicate: () => boolean | Promise<boolean>,
  options: WaitOptions = {},
): Promise<void> {
  const { timeoutMs = 30_000, intervalMs = 50, message = 'condition not met' } = options;
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) {
      const text = typeof message === 'function' ? await message() : message;
      throw new Error(`${text} (after ${timeoutMs} ms)`);
    }
    await sleep(intervalMs);
  }
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The value at quantile `q` (0..1) of `samples` (nearest rank); 0 for none. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((left, right) => left - right);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
