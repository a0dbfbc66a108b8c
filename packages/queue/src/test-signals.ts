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
 * Resolves once `waitFor` flagged each of `ids` (already flagged ones must be awaited
 * before the `waitFor` call, as here: call this first).
 *
 * @example
 * ```ts
 * const flagged = watching(queue.name, [job.id]);
 * const result = queue.waitFor(job.id);
 * await flagged;
 * ```
 */
export function watching(queue: string, ids: readonly string[]): Promise<void> {
  const left = new Set(ids);
  return new Promise((resolve) => {
    const onWatching = (watchedQueue: string, id: string) => {
      if (watchedQueue === queue) left.delete(id);
      if (left.size > 0) return;
      testSignals.off('watching', onWatching);
      resolve();
    };
    testSignals.on('watching', onWatching);
  });
}
