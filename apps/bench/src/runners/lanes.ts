/** What `runLanes` measured. */
export interface LaneTimings {
  /** Wall time of the whole phase. */
  elapsedMs: number;
  /** Per-operation latency, in index order. */
  latenciesMs: number[];
}

/**
 * Runs `operation(0 … count-1)` from `concurrency` callers, each starting its next
 * operation when its previous one resolves, and times every call.
 *
 * @example
 * ```ts
 * const { elapsedMs } = await runLanes(5_000, 16, (index) => queue.enqueue(makePayload(index)));
 * ```
 */
export async function runLanes(
  count: number,
  concurrency: number,
  operation: (index: number) => Promise<unknown>,
): Promise<LaneTimings> {
  const latenciesMs = new Array<number>(count).fill(0);
  let next = 0;
  const lane = async () => {
    for (let index = next++; index < count; index = next++) {
      const started = performance.now();
      await operation(index);
      latenciesMs[index] = performance.now() - started;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return { elapsedMs: performance.now() - started, latenciesMs };
}

/** Per second, from a count and milliseconds. */
export function rate(count: number, elapsedMs: number): number {
  return (count * 1_000) / elapsedMs;
}

/**
 * Resolves when `predicate` holds, checking every `intervalMs`; rejects past `timeoutMs`.
 *
 * @example
 * ```ts
 * await waitUntil(async () => (await queue.finishedCount()) >= total, 10, 60_000);
 * ```
 */
export async function waitUntil(
  predicate: () => boolean | Promise<boolean>,
  intervalMs: number,
  timeoutMs: number,
  what = 'condition',
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await predicate())) {
    if (performance.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
