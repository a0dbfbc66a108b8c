import { randomUUID } from 'node:crypto';
import type { Job, JobContext } from '@pgq/queue';
import { Queue, Worker } from '@pgq/queue';
import { describe, expect, it } from 'vitest';
import {
  check,
  formatCheck,
  recordAcknowledged,
  recordCompletions,
  recordEffect,
  recordStart,
} from '../src/checker.js';
import { useTestDatabase } from '../src/suite.js';

// The checker must be able to fail: each fault is staged by hand in the ledger and counted.
const db = useTestDatabase({ ledger: true });

/** A run of job `id` as a handler would see it, under a fresh token holding for `leaseMs`. */
function run(
  id: string,
  attempt: number,
  leaseMs: number,
  queue = 'staged',
): { job: Job; ctx: JobContext } {
  const job = {
    id,
    queue,
    attempts: attempt,
    leaseToken: randomUUID(),
    leaseExpiresAt: new Date(Date.now() + leaseMs),
  } as Job;
  return { job, ctx: { workerId: `worker-${attempt}` } as JobContext };
}

describe('checker', () => {
  it('counts lost, duplicated, unexpected, stale, overlapping and reverted', async () => {
    const queue = new Queue<{ n: number }>(db.pgq, 'staged');
    await queue.create({ maxAttempts: 1 });
    const [done, stale, never] = (await queue.enqueueMany([{ n: 1 }, { n: 2 }, { n: 3 }])).map(
      (result) => result.id,
    );
    const acknowledging = new Worker(db.pgq, 'staged', async () => undefined);
    const flush = recordCompletions(db.pgq, acknowledging);

    // `done`: one clean run, completed and acknowledged.
    const clean = await queue.dequeue();
    await recordStart(db.pgq, clean!, { workerId: 'clean' } as JobContext);
    await recordEffect(db.pgq, clean!, { workerId: 'clean' } as JobContext);
    await queue.complete(clean!);
    acknowledging.emit('completed', clean!, undefined);

    // `stale`: a second run starts inside the first's lease (overlap), both have effects
    // (duplicated), and the first's completion is acknowledged after the second started.
    const first = run(stale!, 1, 60_000);
    await recordStart(db.pgq, first.job, first.ctx);
    const second = run(stale!, 2, 60_000);
    await recordStart(db.pgq, second.job, second.ctx);
    await recordEffect(db.pgq, first.job, first.ctx);
    await recordEffect(db.pgq, second.job, second.ctx);
    acknowledging.emit('completed', first.job, undefined);

    // A run of a job nobody enqueued.
    const stray = run('999999', 1, 1_000);
    await recordStart(db.pgq, stray.job, stray.ctx);
    await flush();

    const result = await check(db.pgq, { queue: 'staged', acknowledged: [done!, stale!, never!] });
    console.log(formatCheck('checker self-test', result));
    expect(result).toMatchObject({
      acknowledged: 3,
      completed: 1,
      lost: 2,
      stuck: 2,
      duplicated: 1,
      unexpected: 1,
      staleCompletionsAccepted: 1,
      reverted: 1,
      overlappingLeases: 1,
      overMaxAttempts: 1,
      runs: 4,
      redelivered: 1,
    });
    expect(result.lostIds.sort()).toEqual([stale!, never!].sort());
  });

  // `reverted` and `overMaxAttempts` each have two causes: a job counts once for either or both.
  it('counts a job reverted or over its attempts once, whichever of the two causes', async () => {
    const queue = new Queue<{ n: number }>(db.pgq, 'either');
    await queue.create({ maxAttempts: 2 });
    const [again, clean, undone, both] = (
      await queue.enqueueMany([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }])
    ).map((result) => result.id);

    // `again` and `clean` (dequeued first, in that order): completed and acknowledged.
    for (let completed = 0; completed < 2; completed++) {
      const job = (await queue.dequeue()) as Job;
      await recordStart(db.pgq, job, { workerId: 'first' });
      await queue.complete(job);
      await recordAcknowledged(db.pgq, job);
    }
    // `undone` and `both`: acknowledged, never completed.
    for (const id of [undone!, both!]) {
      const first = run(id, 1, 1_000, 'either');
      await recordStart(db.pgq, first.job, first.ctx);
      await recordAcknowledged(db.pgq, first.job);
    }
    // `again` and `both` run once more after the acknowledgement, at attempt 3 of 2.
    for (const id of [again!, both!]) {
      const later = run(id, 3, 1_000, 'either');
      await recordStart(db.pgq, later.job, later.ctx);
    }
    // `undone` and `both` hold more attempts than allowed. Migration 0007 forbids that in `jobs`
    // now, but the checker must still count it (on the archive, or an install without the
    // bounds): this fabricated state needs the bound lifted in this test's own schema.
    await db.pgq.query(
      `alter table ${db.pgq.table('jobs')} drop constraint jobs_attempts_in_range`,
    );
    await db.pgq.query(
      `update ${db.pgq.table('jobs')} set attempts = 3 where queue = 'either' and id = any($1::bigint[])`,
      [[undone, both]],
    );

    const result = await check(db.pgq, {
      queue: 'either',
      acknowledged: [again!, clean!, undone!, both!],
    });
    console.log(formatCheck('checker self-test, either cause', result));
    expect(result).toMatchObject({
      acknowledged: 4,
      completed: 2,
      stuck: 2,
      reverted: 3,
      overMaxAttempts: 3,
      runs: 6,
    });
  });
});
