import type { Pgq } from '@pgq/core';
import type { Queue } from '@pgq/queue';
import type { TestDatabase } from '@pgq/testing';
import type { JobPlan } from './job-plan.js';
import { type Child, startChild } from './processes.js';
import { type WaitOptions, waitUntil } from './wait.js';

/** How a `fixtures/queue-worker.ts` child runs; unset fields take the fixture's defaults. */
export interface QueueWorkerOptions {
  queue: string;
  /** Default 8. */
  concurrency?: number;
  /** Default 30 000. */
  leaseMs?: number;
  /** Default 5 000. */
  rescueIntervalMs?: number;
  /** Default: a third of the lease. */
  heartbeatIntervalMs?: number;
  /** Default 1 000. */
  retryBaseMs?: number;
  /** Effects commit with completions. Default `false`. */
  transactional?: boolean;
  /** Plans' `exit` and `failUntil: -1` are ignored (see `planHandler`). Default `false`. */
  heal?: boolean;
}

/**
 * Starts `fixtures/queue-worker.ts` against the test's schema. Resolves once it claims.
 *
 * @example
 * ```ts
 * const child = await startQueueWorker(db, { queue: 'chaos', concurrency: 8 });
 * ```
 */
export function startQueueWorker(db: TestDatabase, options: QueueWorkerOptions): Promise<Child> {
  const settings = {
    QUEUE: options.queue,
    CONCURRENCY: options.concurrency,
    LEASE_MS: options.leaseMs,
    RESCUE_INTERVAL_MS: options.rescueIntervalMs,
    HEARTBEAT_INTERVAL_MS: options.heartbeatIntervalMs,
    RETRY_BASE_MS: options.retryBaseMs,
    TRANSACTIONAL: options.transactional ? 1 : undefined,
    HEAL: options.heal ? 1 : undefined,
  };
  const env: Record<string, string> = { DATABASE_URL: db.url, PGQ_SCHEMA: db.schema };
  for (const [name, value] of Object.entries(settings)) {
    if (value !== undefined) env[name] = String(value);
  }
  return startChild('fixtures/queue-worker.ts', { env });
}

/** Starts `count` queue worker children alike; resolves once all claim. */
export function startQueueWorkers(
  db: TestDatabase,
  count: number,
  options: QueueWorkerOptions,
): Promise<Child[]> {
  return Promise.all(Array.from({ length: count }, () => startQueueWorker(db, options)));
}

/** The ids of the jobs whose completion or failure a worker child saw refused. */
export function leaseLostIds(child: Child): string[] {
  return child.lines
    .filter((line) => line.startsWith('lease-lost '))
    .map((line) => line.slice('lease-lost '.length));
}

/**
 * Enqueues `plans` in batches of `batchSize` (one statement each) and returns the ids whose
 * enqueue was acknowledged, in order.
 */
export async function enqueuePlans(
  queue: Queue<JobPlan>,
  plans: ReadonlyArray<JobPlan | { payload: JobPlan; maxAttempts?: number }>,
  batchSize = 1_000,
): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < plans.length; start += batchSize) {
    const results = await queue.enqueueMany(plans.slice(start, start + batchSize));
    ids.push(...results.map((result) => result.id));
  }
  return ids;
}

/** How many jobs of `queue` are archived (completed, dead or cancelled). */
export async function finishedCount(pgq: Pgq, queue: string): Promise<number> {
  const [row] = await pgq.query<{ count: number }>(
    `select count(*)::int as count from ${pgq.table('job_archive')} where queue = $1`,
    [queue],
  );
  return row!.count;
}

/** Resolves once `queue` holds no pending or active job; rejects past `options.timeoutMs`. */
export function waitForEmpty<Payload>(queue: Queue<Payload>, options: WaitOptions): Promise<void> {
  return waitUntil(async () => {
    const stats = await queue.stats();
    return stats.pending + stats.active === 0;
  }, options);
}

/** How many jobs of `queue` a worker still holds under a lease (expired or not). */
export async function heldCount(pgq: Pgq, queue: string, workerId: string): Promise<number> {
  const [row] = await pgq.query<{ count: number }>(
    `select count(*)::int as count from ${pgq.table('jobs')}
      where queue = $1 and worker_id = $2 and state = 'active'`,
    [queue, workerId],
  );
  return row!.count;
}
