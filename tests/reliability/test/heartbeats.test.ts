import { Queue } from '@pgq/queue';
import { afterEach, describe, expect, it } from 'vitest';
import { check, formatCheck } from '../src/checker.js';
import type { JobPlan } from '../src/job-plan.js';
import { signal, stopChildren, terminateChildren } from '../src/processes.js';
import {
  enqueuePlans,
  finishedCount,
  heldCount,
  leaseLostIds,
  type QueueWorkerOptions,
  startQueueWorker,
  startQueueWorkers,
} from '../src/queue-workers.js';
import { useTestDatabase } from '../src/suite.js';
import { waitUntil } from '../src/wait.js';

// Issue 12, test 3: jobs running 10x their lease keep it by heartbeats (automatic, a third of
// the lease) while every worker sweeps for expired leases 10 times a second; when the
// heartbeats stop (the process is frozen with SIGSTOP) the jobs are rescued within lease +
// sweep, and the frozen worker, thawed, is refused.
const leaseMs = 500;
const rescueIntervalMs = 100;
const jobMs = 10 * leaseMs;
// Measured recovery also holds the healthy worker's claim and the ledger write.
const claimSlackMs = 300;

const db = useTestDatabase({ ledger: true });
afterEach(stopChildren);

function workerOptions(queue: string): QueueWorkerOptions {
  return { queue, concurrency: 4, leaseMs, rescueIntervalMs };
}

/** Long jobs that record the lease they hold every half lease. */
function longJobs(count: number): JobPlan[] {
  return Array.from({ length: count }, (_, n) => ({ n, ms: jobMs, leaseEveryMs: leaseMs / 2 }));
}

describe('heartbeats', () => {
  it('jobs running 10x their lease with heartbeats are never redelivered', async () => {
    const queue = new Queue<JobPlan>(db.pgq, 'beating');
    await queue.create({ maxAttempts: 20 });
    const workers = await startQueueWorkers(db, 2, workerOptions('beating'));
    const acknowledged = await enqueuePlans(queue, longJobs(8));
    await waitUntil(async () => (await finishedCount(db.pgq, 'beating')) === 8, {
      timeoutMs: 30_000,
      message: 'long jobs not finished',
    });
    await terminateChildren(workers);
    // How far past its claim each run's lease was carried by heartbeats.
    const [carried] = await db.pgq.query<{ min_ms: number }>(
      `select min(extract(epoch from lease_expires_at - started_at)::float8 * 1000) as min_ms
         from ${db.pgq.table('ledger_runs')} where queue = 'beating'`,
    );
    const result = await check(db.pgq, { queue: 'beating', acknowledged });
    console.log(
      formatCheck('heartbeats, 10x lease', result, {
        leaseMs,
        jobMs,
        leaseCarriedMinMs: Math.round(carried!.min_ms),
      }),
    );
    expect(result).toMatchObject({
      lost: 0,
      duplicated: 0,
      completed: 8,
      runs: 8,
      redelivered: 0,
      overlappingLeases: 0,
      staleCompletionsAccepted: 0,
    });
    expect(carried!.min_ms).toBeGreaterThanOrEqual(jobMs);
  }, 60_000);

  it('when heartbeats stop (SIGSTOP) the jobs are rescued within lease + sweep', async () => {
    const queue = new Queue<JobPlan>(db.pgq, 'frozen');
    await queue.create({ maxAttempts: 20 });
    const acknowledged = await enqueuePlans(queue, longJobs(4));
    const frozen = await startQueueWorker(db, workerOptions('frozen'));
    await waitUntil(async () => (await heldCount(db.pgq, 'frozen', frozen.id)) === 4, {
      timeoutMs: 10_000,
      message: 'the first worker did not claim the jobs',
    });
    const healthy = await startQueueWorker(db, workerOptions('frozen'));
    signal(frozen, 'SIGSTOP');
    const [stopped] = await db.pgq.query<{ at: Date }>('select clock_timestamp() as at');
    const secondRuns = async () =>
      db.pgq.query<{ recovery_ms: number }>(
        `select extract(epoch from started_at - $1::timestamptz)::float8 * 1000 as recovery_ms
           from ${db.pgq.table('ledger_runs')} where queue = 'frozen' and worker_id = $2`,
        [stopped!.at, healthy.id],
      );
    await waitUntil(async () => (await secondRuns()).length === 4, {
      timeoutMs: 10_000,
      message: 'jobs of the frozen worker not rescued',
    });
    // Thawed with most of its work left: its next heartbeat finds the leases gone.
    signal(frozen, 'SIGCONT');
    await waitUntil(
      async () =>
        (await finishedCount(db.pgq, 'frozen')) === 4 && leaseLostIds(frozen).length === 4,
      { timeoutMs: 30_000, message: 'jobs not finished or the thawed worker not refused' },
    );
    await terminateChildren([frozen, healthy]);
    const recoveryMaxMs = Math.round(
      Math.max(...(await secondRuns()).map((run) => run.recovery_ms)),
    );
    const result = await check(db.pgq, { queue: 'frozen', acknowledged });
    console.log(
      formatCheck('heartbeats stopped', result, {
        recoveryMaxMs,
        boundMs: leaseMs + rescueIntervalMs,
        refusedAfterThaw: leaseLostIds(frozen).length,
      }),
    );
    expect(leaseLostIds(frozen).sort()).toEqual([...acknowledged].sort());
    expect(recoveryMaxMs).toBeLessThanOrEqual(leaseMs + rescueIntervalMs + claimSlackMs);
    expect(result).toMatchObject({
      lost: 0,
      duplicated: 0,
      completed: 4,
      runs: 8,
      overlappingLeases: 0,
      staleCompletionsAccepted: 0,
      reverted: 0,
    });
  }, 60_000);
});
