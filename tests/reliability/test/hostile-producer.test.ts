// Issue 26, items 1 and 2, as the producer login of docs/roles.sql: a producer may write the
// columns it enqueues with, and nothing it writes may stop its queue (an infinite run_at made
// every claim fail) or choose a job id (a planted id broke completions and the next enqueues,
// and decoyed the CLI). Each attack must be refused with nothing written, and the queue must
// run the jobs enqueued after it.
import { SqlState } from '@pgq/core';
import { Queue } from '@pgq/queue';
import { beforeAll, expect, it } from 'vitest';
import { queueStillRuns } from '../src/queue-still-runs.js';
import { expectAllRefused, queueTables, type Refusal } from '../src/refusal.js';
import { useRoleLogins } from '../src/role-logins.js';
import { useFigures, useTestDatabase } from '../src/suite.js';

const db = useTestDatabase();
const roles = useRoleLogins(db, ['work']);
const figures = useFigures('hostile producer');

const checkViolation = { sqlState: SqlState.checkViolation };
const denied = { sqlState: SqlState.insufficientPrivilege };
const validation = { code: 'PGQ_VALIDATION' };

beforeAll(async () => {
  await new Queue(db.pgq, 'work').create({ maxAttempts: 2 });
  await new Queue(db.pgq, 'other').create();
});

/** Asserts every attack was refused with no row of the queue tables changed. */
function expectRefused(
  figure: string,
  attacks: Record<string, [() => Promise<unknown>, Refusal]>,
): Promise<void> {
  return expectAllRefused(figures, figure, attacks, () => queueTables(db.pgq));
}

/** The producer's raw insert of one job into `work` at `runAt` (a timestamptz literal). */
function insertAt(runAt: string): Promise<unknown> {
  return roles.producer.query(
    `insert into ${roles.producer.table('jobs')} (queue, payload, max_attempts, run_at)
     values ('work', '{"poison": true}', 1, $1::timestamptz)`,
    [runAt],
  );
}

it('a producer cannot plant a time that stops its queue; the queue runs on', async () => {
  const work = new Queue(roles.producer, 'work');
  await expectRefused('timesRefused', {
    runAtInfinity: [() => insertAt('infinity'), checkViolation],
    runAtMinusInfinity: [() => insertAt('-infinity'), checkViolation],
    runAtYear10000: [() => insertAt('10000-01-01 00:00:00+00'), checkViolation],
    runAtBeforeEpoch: [() => insertAt('1969-12-31 23:59:59+00'), checkViolation],
    enqueueRunAtYear200000: [() => work.enqueue({}, { runAt: new Date(6e15) }), validation],
    enqueueDelayOf30000Years: [() => work.enqueue({}, { delayMs: 1e15 }), validation],
  });
  const run = await queueStillRuns({ ...roles, admin: db.pgq }, 'work', 20);
  expect(run).toEqual({ completed: 20, errors: [] });
  figures.completedAfter = run.completed;
});

it('a producer cannot choose job ids: only the sequence gives them; the queue runs on', async () => {
  const admin = new Queue(db.pgq, 'work');
  const { id: finished } = await admin.enqueue({ finished: true });
  const claimed = await admin.dequeue();
  await admin.complete(claimed!, { result: 'ok' });
  const { id: elsewhere } = await new Queue(db.pgq, 'other').enqueue({ real: true });
  const jobs = roles.producer.table('jobs');
  const plant = (id: string) =>
    roles.producer.query(
      `insert into ${jobs} (id, queue, payload, max_attempts) values ($1, 'work', '{"planted": true}', 1)`,
      [id],
    );
  const [sequence] = await db.pgq.query<{ next: string }>(
    `select (last_value + 1)::text as next from ${db.pgq.table('jobs_id_seq')}`,
  );
  const next = sequence!.next;
  await expectRefused('idsRefused', {
    // Taken next by a real enqueue, which would then fail on the key (23505).
    nextSequenceValue: [() => plant(next), denied],
    aheadOfSequence: [() => plant(String(BigInt(next) + 20n)), denied],
    // An archived job's id: its completion's archive insert would collide.
    archivedJobsId: [() => plant(finished), denied],
    // Another queue's job id: `pgq job cancel <id>` would meet the decoy.
    otherQueuesId: [() => plant(elsewhere), denied],
    rewindSequence: [
      () =>
        roles.producer.query(`select setval($1::regclass, 1)`, [
          roles.producer.table('jobs_id_seq'),
        ]),
      denied,
    ],
  });
  const run = await queueStillRuns({ ...roles, admin: db.pgq }, 'work', 20);
  expect(run).toEqual({ completed: 20, errors: [] });
  const [counts] = await db.pgq.query<{ ids: number; rows: number }>(
    `select count(distinct id)::int as ids, count(*)::int as rows from (
       select id from ${db.pgq.table('jobs')} union all select id from ${db.pgq.table('job_archive')}) all_jobs`,
  );
  expect(counts!.ids).toBe(counts!.rows);
  figures.idsUnique = `${counts!.ids}/${counts!.rows}`;
});
