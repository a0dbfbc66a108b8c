import { Queue } from '@pgq/queue';
import { afterEach, describe, expect, it } from 'vitest';
import { check, formatCheck } from '../src/checker.js';
import type { JobPlan } from '../src/job-plan.js';
import { stopChildren, terminateChildren } from '../src/processes.js';
import {
  enqueuePlans,
  finishedCount,
  leaseLostIds,
  startQueueWorkers,
} from '../src/queue-workers.js';
import { useTestDatabase } from '../src/suite.js';
import { waitUntil } from '../src/wait.js';

// Issue 12, test 4 (River #1302): rescue interleaved with completions. Heartbeats are off and
// every first attempt works for about its lease (140-220 ms plus the ledger write), while 3 processes sweep for
// expired leases every 10 ms: completions and rescues of the same rows meet again and again.
// Whichever wins, a completed job must never be reverted, and a rescued one never completed
// by the run that lost it.
const total = 1_200;
const leaseMs = 200;

const db = useTestDatabase({ ledger: true });
afterEach(stopChildren);

describe('rescue race', () => {
  it('completions racing the rescue at lease expiry: completed jobs reverted = 0', async () => {
    const queue = new Queue<JobPlan>(db.pgq, 'race');
    await queue.create({ maxAttempts: 100 });
    const workers = await startQueueWorkers(db, 3, {
      queue: 'race',
      concurrency: 8,
      leaseMs,
      rescueIntervalMs: 10,
      // Longer than any job: no heartbeat ever renews a lease here.
      heartbeatIntervalMs: 600_000,
    });
    const acknowledged = await enqueuePlans(
      queue,
      Array.from({ length: total }, (_, n) => ({
        n,
        ms: leaseMs - 60 + ((n * 7_919) % 81),
        laterMs: 5,
      })),
    );
    await waitUntil(async () => (await finishedCount(db.pgq, 'race')) === total, {
      timeoutMs: 60_000,
      intervalMs: 200,
      message: 'race queue not drained',
    });
    await terminateChildren(workers);
    // Completions that won the race: accepted after their lease had run out, before a rescue.
    const [late] = await db.pgq.query<{ accepted: number }>(
      `select count(*)::int as accepted
         from ${db.pgq.table('ledger_runs')} r
         join ${db.pgq.table('job_archive')} a on a.queue = r.queue and a.id = r.job_id
        where r.queue = 'race' and r.acknowledged_at is not null
          and a.finished_at > r.lease_expires_at`,
    );
    const refused = workers.reduce((sum, child) => sum + leaseLostIds(child).length, 0);
    const result = await check(db.pgq, { queue: 'race', acknowledged });
    console.log(
      formatCheck('rescue race', result, {
        acceptedAfterExpiry: late!.accepted,
        refusedAfterRescue: refused,
      }),
    );
    expect(result).toMatchObject({
      lost: 0,
      completed: total,
      reverted: 0,
      staleCompletionsAccepted: 0,
      overlappingLeases: 0,
      unexpected: 0,
    });
    // Both sides of the race happened: the test exercised what it claims to.
    expect(late!.accepted).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
    expect(await queue.stats()).toMatchObject({ pending: 0, active: 0 });
  }, 120_000);
});
