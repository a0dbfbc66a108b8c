import type { Pgq } from '@pgq/core';
import { Queue, Worker } from '@pgq/queue';
import { waitUntil } from './wait.js';

/** What `queueStillRuns` saw. */
export interface QueueRun {
  /** Jobs enqueued by the producer that a worker completed. */
  completed: number;
  /** The worker's `error` events. */
  errors: string[];
}

/**
 * After an attack: the producer enqueues `count` jobs to `queue`, a `Worker` logged in as the
 * worker runs them, and the admin's views of the queue (`stats`, `list`, the CLI's and the
 * dashboard's sources) still read, with real dates. Resolves once all `count` completed;
 * rejects when they do not within 30 s or a view throws.
 *
 * @example
 * ```ts
 * const run = await queueStillRuns({ producer, worker, admin: db.pgq }, 'work', 20);
 * expect(run).toEqual({ completed: 20, errors: [] });
 * ```
 */
export async function queueStillRuns(
  logins: { producer: Pgq; worker: Pgq; admin: Pgq },
  queue: string,
  count: number,
): Promise<QueueRun> {
  const enqueued = await new Queue(logins.producer, queue).enqueueMany(
    Array.from({ length: count }, (_, n) => ({ after: n })),
  );
  const wanted = new Set(enqueued.map((job) => job.id));
  const completed = new Set<string>();
  const errors: string[] = [];
  const worker = new Worker(logins.worker, queue, async () => 'done', { pollIntervalMs: 200 });
  worker.on('completed', (job) => {
    if (wanted.has(job.id)) completed.add(job.id);
  });
  worker.on('error', (error) => errors.push(error.message));
  await worker.start();
  try {
    await waitUntil(() => completed.size === count, {
      timeoutMs: 30_000,
      message: () => `${completed.size} of ${count} completed; errors: ${errors.join('; ')}`,
    });
  } finally {
    await worker.stop();
  }
  const admin = new Queue(logins.admin, queue);
  await admin.stats();
  for (const job of await admin.list({ limit: 1_000 })) {
    for (const time of [job.runAt, job.createdAt, job.startedAt, job.finishedAt]) {
      if (time !== null && !(time instanceof Date && Number.isFinite(time.getTime()))) {
        throw new Error(`job ${job.id} reads with a time that is not a date: ${String(time)}`);
      }
    }
  }
  return { completed: completed.size, errors };
}
