// Issue 12, test 9: a REPEATABLE READ transaction held open for 60 s while a worker drains a
// steady backlog. Nothing may be lost; the figures are the throughput before, during and
// after, and the dead rows piling up in the queue's partition (VACUUM cannot remove what the
// held snapshot may still see); `health()` must name the session holding the horizon.
import { health, type Pgq } from '@pgq/core';
import { Queue, Worker } from '@pgq/queue';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { check, formatCheck } from '../src/checker.js';
import { waitForEmpty } from '../src/queue-workers.js';
import { useTestDatabase } from '../src/suite.js';
import { sleep } from '../src/wait.js';

const holdMs = 61_000; // past health()'s default 60 s threshold
const phaseMs = 8_000;
const backlog = 1_000;

// check() reads the ledger; it stays empty here (runs are counted in the test, see below).
const db = useTestDatabase({ ledger: true });
let pgq: Pgq;
let holder: pg.Client;

beforeAll(async () => {
  pgq = db.connect({ max: 16 });
  holder = new pg.Client({ connectionString: db.url });
  await holder.connect();
});

afterAll(async () => {
  await holder?.end();
});

/** Keeps about `backlog` jobs waiting until stopped; remembers every acknowledged id. */
function produce(queue: Queue<{ n: number }>, completed: () => number) {
  const acknowledged: string[] = [];
  let running = true;
  const done = (async () => {
    while (running) {
      if (acknowledged.length - completed() >= backlog) {
        await sleep(20);
        continue;
      }
      const batch = Array.from({ length: 200 }, (_, index) => ({ n: acknowledged.length + index }));
      for (const { id } of await queue.enqueueMany(batch)) acknowledged.push(id);
    }
  })();
  return {
    acknowledged,
    stop: async () => {
      running = false;
      await done;
    },
  };
}

/** The partition's dead rows as VACUUM leaves them: those it may not remove yet. */
async function deadAfterVacuum(table: string): Promise<number> {
  await db.pgq.query(`vacuum ${db.pgq.quotedSchema}.${table}`);
  return deadTuples(table);
}

async function deadTuples(table: string): Promise<number> {
  const report = await health(db.pgq, { maxXminAgeMs: Number.MAX_SAFE_INTEGER });
  return report.tables.find((entry) => entry.name === table)?.deadTuples ?? 0;
}

it('a REPEATABLE READ transaction held 60 s: nothing lost, health() warns, dead rows reported', async () => {
  const queue = new Queue<{ n: number }>(pgq, 'long_tx');
  await queue.create();
  const [row] = await db.pgq.query<{ id: number }>(
    `select id from ${db.pgq.table('queues')} where name = 'long_tx'`,
  );
  const partition = `jobs_${row!.id}`;
  let completed = 0;
  // One worker in this process and no faults: its handler calls are every run there is, so
  // they are counted here rather than in the ledger, whose writes would be most of the load
  // being measured (and tens of thousands of runs make the ledger's check slow).
  const runs = new Map<string, number>();
  const worker = new Worker(
    pgq,
    queue,
    async (job) => {
      runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
      return 'done';
    },
    { concurrency: 10 },
  );
  const errors: Error[] = [];
  worker.on('error', (error) => errors.push(error));
  worker.on('completed', () => completed++);
  await worker.start();
  const producer = produce(queue, () => completed);
  const throughput = async (ms: number) => {
    const from = completed;
    await sleep(ms);
    return Math.round(((completed - from) * 1000) / ms);
  };
  let committed = false;
  try {
    const before = await throughput(phaseMs);
    const deadBefore = await deadTuples(partition);

    await holder.query('begin isolation level repeatable read');
    // The snapshot (and with it the horizon) is taken by the first statement, not by BEGIN.
    await holder.query(`select count(*) from ${db.pgq.table('jobs')}`);
    const holderPid = (holder as unknown as { processID: number }).processID;
    const completedBeforeHold = completed;
    const heldAt = performance.now();
    const early = await throughput(10_000);
    const warnedEarly = (await health(db.pgq, { maxXminAgeMs: 5_000 })).warnings.filter(
      (warning) => warning.holder?.pid === holderPid && warning.code === 'PGQ_XMIN_HORIZON_HELD',
    );
    const late = await throughput(holdMs - (performance.now() - heldAt));
    const atDefault = await health(db.pgq);
    const warnedAtDefault = atDefault.warnings.filter(
      (warning) => warning.holder?.pid === holderPid,
    );
    const completedHeld = completed;
    const deadHeld = await deadAfterVacuum(partition);
    const completedWhileHeld = completedHeld - completedBeforeHold;
    await holder.query('commit');
    committed = true;
    const released = await health(db.pgq, { maxXminAgeMs: 5_000 });

    const after = await throughput(phaseMs);
    const deadVacuumed = await deadAfterVacuum(partition);
    await producer.stop();
    await waitForEmpty(queue, { timeoutMs: 60_000, message: 'the backlog did not drain' });
    await worker.stop();
    const checked = await check(db.pgq, { queue: 'long_tx', acknowledged: producer.acknowledged });
    const counts = [...runs.values()];
    const result = {
      ...checked,
      duplicated: counts.filter((count) => count > 1).length,
      runs: counts.reduce((sum, count) => sum + count, 0),
      redelivered: counts.filter((count) => count > 1).length,
    };
    const during = Math.round((early * 10_000 + late * (holdMs - 10_000)) / holdMs);
    console.log(
      formatCheck('long transaction', result, {
        jobsPerSecondBefore: before,
        jobsPerSecondDuring: during,
        jobsPerSecondLastDuring: late,
        jobsPerSecondAfter: after,
        jobsWhileHeld: completedWhileHeld,
        deadTuplesBefore: deadBefore,
        deadTuplesUnremovableHeld: deadHeld,
        deadTuplesUnremovableAfter: deadVacuumed,
        warnedAt5s: warnedEarly.length,
        warnedAtDefault60s: warnedAtDefault.length,
        oldestXminAgeMs: atDefault.oldestXminAgeMs ?? 'none',
        workerErrors: errors.length,
      }),
    );
    expect(result).toMatchObject({ lost: 0, duplicated: 0, unexpected: 0, stuck: 0 });
    expect(errors).toEqual([]);
    expect(warnedEarly).toHaveLength(1);
    expect(warnedAtDefault).toHaveLength(1);
    expect(released.xminHolders.map((found) => found.pid)).not.toContain(holderPid);
    // The queue keeps working under the held horizon, and its churn is what piles up.
    expect(during).toBeGreaterThan(0);
    // Every job done under the held snapshot leaves at least its deleted row to VACUUM,
    // which may not remove it until the snapshot is gone.
    expect(deadHeld).toBeGreaterThanOrEqual(completedWhileHeld);
    expect(deadVacuumed).toBeLessThan(deadHeld / 10);
  } finally {
    if (!committed) await holder.query('rollback').catch(() => {});
    await producer.stop();
    await worker.stop();
  }
}, 180_000);
