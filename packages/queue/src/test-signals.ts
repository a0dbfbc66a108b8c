import { EventEmitter } from 'node:events';

/**
 * Moments inside the queue that tests wait for instead of sleeping (River's `testSignals`).
 * Internal: not exported from the package. Emitting costs nothing when no test listens.
 */
export const testSignals = new EventEmitter<{
  /** A `waitFor` flagged live job `id` of `queue`: its finish will be announced. */
  watching: [queue: string, id: string];
}>();

/**
 * Resolves once `waitFor` looked at each of `ids` and found it flagged (an id listed n times:
 * n waiters). Call it before the `waitFor` calls it waits for.
 *
 * @example
 * ```ts
 * const flagged = watching(queue.name, [job.id]);
 * const result = queue.waitFor(job.id);
 * await flagged;
 * ```
 */
export function watching(queue: string, ids: readonly string[]): Promise<void> {
  const left = new Map<string, number>();
  for (const id of ids) left.set(id, (left.get(id) ?? 0) + 1);
  return new Promise((resolve) => {
    const onWatching = (watchedQueue: string, id: string) => {
      const count = left.get(id);
      if (watchedQueue !== queue || count === undefined) return;
      if (count > 1) left.set(id, count - 1);
      else left.delete(id);
      if (left.size > 0) return;
      testSignals.off('watching', onWatching);
      resolve();
    };
    testSignals.on('watching', onWatching);
  });
}
