import { InvalidNameError, ValidationError } from '@pgq/core';
import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listQueues, listWorkers, locateJob, Queue, snapshotQueues } from '../src/index.js';

let db: TestDatabase;
// A schema with no queue, workers or jobs: what a fresh install reads.
let empty: TestDatabase;

// Known state of queue "busy": 2 completed and 1 dead in the last minute, 1 dead an hour
// ago, 1 active, 3 due (one of them back after a failed attempt), 1 scheduled for later.
// Queue "quiet" is empty. Two registry rows: one live worker on both queues, one stale on
// "busy" only.
beforeAll(async () => {
  [db, empty] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  const busy = new Queue(db.pgq, 'busy');
  await busy.create({ maxAttempts: 1, leaseMs: 60_000 });
  await new Queue(db.pgq, 'quiet').create();

  await busy.enqueueMany([{ n: 1 }, { n: 2 }]);
  for (const job of await busy.dequeueMany(2)) await busy.complete(job);
  await busy.enqueueMany([{ n: 3 }, { n: 4 }]);
  for (const job of await busy.dequeueMany(2)) await busy.fail(job, new Error('broken'));
  await db.pgq.query(
    `update ${db.pgq.table('job_archive')} set finished_at = now() - interval '1 hour'
      where id = (select min(id) from ${db.pgq.table('job_archive')} where state = 'dead')`,
  );
  await busy.enqueue({ n: 5 });
  expect(await busy.dequeue({ leaseMs: 600_000 })).not.toBeNull();
  // Due again at once after a failed attempt: pending, and retrying.
  await busy.enqueue({ n: 6 }, { maxAttempts: 2 });
  await busy.fail((await busy.dequeue())!, new Error('flaky'), { retry: { baseMs: 0 } });
  await busy.enqueueMany([{ n: 7 }, { n: 8 }]);
  await busy.enqueue({ n: 9 }, { delayMs: 3_600_000 });

  await db.pgq.query(
    `insert into ${db.pgq.table('workers')} (id, hostname, pid, queues, started_at, last_seen_at)
     values ('live-worker', 'host-a', 101, '{busy,quiet}', now() - interval '2 minutes', now()),
            ('stale-worker', 'host-b', 202, '{busy}', now() - interval '3 hours', now() - interval '10 minutes')`,
  );
});

afterAll(async () => {
  await Promise.all([db.dispose(), empty.dispose()]);
});

describe('listQueues', () => {
  it('lists every queue with its defaults, in name order, and one by name', async () => {
    const queues = await listQueues(db.pgq);
    expect(queues).toEqual([
      {
        name: 'busy',
        maxAttempts: 1,
        leaseMs: 60_000,
        completedRetentionMs: 86_400_000,
        deadRetentionMs: 1_209_600_000,
        createdAt: expect.any(Date),
      },
      expect.objectContaining({ name: 'quiet', maxAttempts: 3, leaseMs: 30_000 }),
    ]);
    expect(Math.abs(queues[0]!.createdAt.getTime() - Date.now())).toBeLessThan(60_000);
    expect(await listQueues(db.pgq, { name: 'quiet' })).toEqual([queues[1]]);
    expect(await listQueues(db.pgq, { name: 'nowhere' })).toEqual([]);
    expect(await listQueues(empty.pgq)).toEqual([]);
  });

  it('refuses a malformed name', async () => {
    await expect(listQueues(db.pgq, { name: 'bad name' })).rejects.toBeInstanceOf(InvalidNameError);
  });
});

describe('snapshotQueues', () => {
  it("reads every queue's depth, recent outcomes and live workers at one moment", async () => {
    const before = Date.now();
    const { takenAt, queues } = await snapshotQueues(db.pgq);
    expect(queues.map((queue) => queue.name)).toEqual(['busy', 'quiet']);
    expect(queues[0]).toEqual({
      name: 'busy',
      pending: 3,
      scheduled: 1,
      active: 1,
      retrying: 1,
      dead: 2,
      completedLastMinute: 2,
      deadLastMinute: 1,
      oldestPendingMs: expect.any(Number),
      liveWorkers: 1,
    });
    expect(queues[0]!.oldestPendingMs).toBeGreaterThanOrEqual(0);
    expect(queues[0]!.oldestPendingMs).toBeLessThan(60_000);
    expect(queues[1]).toEqual({
      name: 'quiet',
      pending: 0,
      scheduled: 0,
      active: 0,
      retrying: 0,
      dead: 0,
      completedLastMinute: 0,
      deadLastMinute: 0,
      oldestPendingMs: null,
      liveWorkers: 1,
    });
    // The database's clock (the same machine here).
    expect(Math.abs(takenAt.getTime() - before)).toBeLessThan(5_000);
  });

  it('counts a worker as live within liveWithinMs', async () => {
    const { queues } = await snapshotQueues(db.pgq, { liveWithinMs: 3_600_000 });
    expect(queues.map((queue) => queue.liveWorkers)).toEqual([2, 1]);
  });

  it('reads a schema without queues as empty', async () => {
    const snapshot = await snapshotQueues(empty.pgq);
    expect(snapshot.queues).toEqual([]);
    expect(snapshot.takenAt).toBeInstanceOf(Date);
  });

  it('refuses a live threshold that is not a duration', async () => {
    for (const liveWithinMs of [-1, Number.NaN, Number.POSITIVE_INFINITY, '30s' as never]) {
      await expect(snapshotQueues(db.pgq, { liveWithinMs })).rejects.toBeInstanceOf(
        ValidationError,
      );
      await expect(listWorkers(db.pgq, { liveWithinMs })).rejects.toBeInstanceOf(ValidationError);
    }
  });
});

describe('listWorkers', () => {
  it('lists the registry newest first, with ages by the database clock and whether each is live', async () => {
    const workers = await listWorkers(db.pgq);
    expect(workers).toEqual([
      {
        id: 'live-worker',
        hostname: 'host-a',
        pid: 101,
        queues: ['busy', 'quiet'],
        startedAt: expect.any(Date),
        lastSeenAt: expect.any(Date),
        upMs: expect.any(Number),
        lastSeenMs: expect.any(Number),
        live: true,
      },
      expect.objectContaining({ id: 'stale-worker', queues: ['busy'], live: false }),
    ]);
    const [live, stale] = workers;
    expect(live!.upMs).toBeGreaterThanOrEqual(120_000);
    expect(live!.upMs).toBeLessThan(180_000);
    expect(live!.lastSeenMs).toBeLessThan(60_000);
    expect(stale!.lastSeenMs).toBeGreaterThanOrEqual(600_000);
    expect(stale!.upMs).toBeGreaterThanOrEqual(3 * 3_600_000);
  });

  it('takes liveWithinMs as the live threshold', async () => {
    const workers = await listWorkers(db.pgq, { liveWithinMs: 3_600_000 });
    expect(workers.map((worker) => worker.live)).toEqual([true, true]);
    expect(await listWorkers(empty.pgq)).toEqual([]);
  });
});

describe('locateJob', () => {
  it('finds the queue of a live or archived job, and nothing for an unknown id', async () => {
    const queue = new Queue(db.pgq, 'located');
    await queue.create();
    const { id: live } = await queue.enqueue({ n: 1 });
    const { id: archived } = await queue.enqueue({ n: 2 });
    await queue.cancel(archived);
    expect(await locateJob(db.pgq, live)).toEqual(['located']);
    expect(await locateJob(db.pgq, archived)).toEqual(['located']);
    expect(await locateJob(db.pgq, '999999999')).toEqual([]);
    expect(await locateJob(empty.pgq, live)).toEqual([]);
  });

  it('names every queue holding the id, in name order, when one was written with a chosen id', async () => {
    const billing = new Queue(db.pgq, 'billing');
    await billing.create();
    await new Queue(db.pgq, 'decoys').create();
    const { id } = await billing.enqueue({ invoice: 42 });
    // The owner may still write a chosen id (issue 26).
    await db.pgq.query(
      `insert into ${db.pgq.table('jobs')} (id, queue, payload, max_attempts)
       values ($1, 'decoys', '{"decoy": true}', 1)`,
      [id],
    );
    expect(await locateJob(db.pgq, id)).toEqual(['billing', 'decoys']);
  });

  it('refuses a malformed id', async () => {
    for (const id of ['abc', '0', '-1', '1.5', '']) {
      await expect(locateJob(db.pgq, id)).rejects.toBeInstanceOf(ValidationError);
    }
  });
});
