import { Queue, Worker } from '@pgq/queue';
import { afterEach, describe, expect, it } from 'vitest';
import { check, formatCheck, recordCompletions } from '../src/checker.js';
import { type JobPlan, planHandler } from '../src/job-plan.js';
import { stopChildren, terminateChild } from '../src/processes.js';
import {
  enqueuePlans,
  finishedCount,
  heldCount,
  leaseLostIds,
  startQueueWorker,
} from '../src/queue-workers.js';
import { useTestDatabase } from '../src/suite.js';
import { waitUntil } from '../src/wait.js';

// Issue 12, test 2: a stalled-but-alive worker. Its handlers block the event loop (no
// heartbeat can run) for 3x the lease; the jobs run again on a healthy worker meanwhile; when
// the stalled one wakes, its completions must be refused with LeaseLostError.
const leaseMs = 600;
const stallMs = 1_800;
const stalled = 3;
const normal = 30;

const db = useTestDatabase({ ledger: true });
afterEach(stopChildren);

async function stalledWorkerRun(name: string, transactional: boolean) {
  const queue = new Queue<JobPlan>(db.pgq, name);
  await queue.create({ maxAttempts: 20 });
  const acknowledged = await enqueuePlans(
    queue,
    Array.from({ length: stalled }, (_, n) => ({ n, stallMs })),
  );
  const stalledIds = [...acknowledged];
  // The stalled worker claims all three at once; its own sweep is slow, so the rescue and the
  // second runs happen on the healthy worker.
  const sleeper = await startQueueWorker(db, {
    queue: name,
    concurrency: stalled,
    leaseMs,
    rescueIntervalMs: 60_000,
    transactional,
  });
  await waitUntil(async () => (await heldCount(db.pgq, name, sleeper.id)) === stalled, {
    timeoutMs: 10_000,
    message: 'the stalled worker did not claim its jobs',
  });
  const healthy = new Worker(db.pgq, queue, planHandler(db.pgq), {
    concurrency: 4,
    leaseMs,
    rescueIntervalMs: 100,
    transactional,
  });
  const flush = recordCompletions(db.pgq, healthy);
  try {
    await healthy.start();
    acknowledged.push(
      ...(await enqueuePlans(
        queue,
        Array.from({ length: normal }, (_, n) => ({ n: stalled + n, ms: 10 })),
      )),
    );
    await waitUntil(
      async () =>
        (await finishedCount(db.pgq, name)) === acknowledged.length &&
        leaseLostIds(sleeper).length >= stalled,
      { timeoutMs: 30_000, message: 'jobs not finished or late completions not refused' },
    );
  } finally {
    await healthy.stop();
    await flush();
    await terminateChild(sleeper);
  }
  const reruns = await db.pgq.query<{ attempts: number; after_expiry_ms: number }>(
    `select a.attempts, extract(epoch from second.started_at - first.lease_expires_at)::float8 * 1000
              as after_expiry_ms
       from ${db.pgq.table('job_archive')} a
       join ${db.pgq.table('ledger_runs')} first
         on first.job_id = a.id and first.queue = a.queue and first.attempt = 1
       join ${db.pgq.table('ledger_runs')} second
         on second.job_id = a.id and second.queue = a.queue and second.attempt = 2
      where a.queue = $1 and a.id = any($2::bigint[]) and a.state = 'completed'`,
    [name, stalledIds],
  );
  return {
    result: await check(db.pgq, { queue: name, acknowledged }),
    refused: leaseLostIds(sleeper),
    stalledIds,
    reruns,
  };
}

describe('stalled-but-alive fencing', () => {
  for (const transactional of [false, true]) {
    const mode = transactional ? 'transactional' : 'plain';
    it(`${mode}: the late completion is refused, stale completions accepted = 0`, async () => {
      const { result, refused, stalledIds, reruns } = await stalledWorkerRun(
        `stalled_${mode}`,
        transactional,
      );
      console.log(
        formatCheck(`fencing (${mode})`, result, {
          stalledRuns: stalledIds.length,
          refusedLate: refused.length,
          rerunAfterExpiryMaxMs: Math.round(
            Math.max(...reruns.map((rerun) => rerun.after_expiry_ms)),
          ),
        }),
      );
      expect(refused.sort()).toEqual(stalledIds.sort());
      expect(reruns).toHaveLength(stalled);
      for (const rerun of reruns) {
        expect(rerun.attempts).toBe(2);
        expect(rerun.after_expiry_ms).toBeGreaterThan(0);
      }
      expect(result).toMatchObject({
        lost: 0,
        unexpected: 0,
        staleCompletionsAccepted: 0,
        reverted: 0,
        overlappingLeases: 0,
        completed: stalled + normal,
        runs: stalled * 2 + normal,
        // A plain handler's effect committed before its refused completion: at-least-once.
        // In a transaction it rolls back with the completion: effectively once.
        duplicated: transactional ? 0 : stalled,
      });
    }, 60_000);
  }
});
