// Issue 26, items 1 and 5, as the worker login of docs/roles.sql: a worker updates the lease
// columns of its queues' jobs and archives the jobs it finishes. Nothing it writes may stop
// its queue (an infinite lease was never rescued, `attempts = 0` retried a job forever), and
// the archive may hold only the jobs it really took out of `jobs` (a forged dead row, retried,
// ran a payload of the worker's choosing). Each attack must be refused with nothing written,
// and the queue must run the jobs enqueued after it.
import { type Pgq, SqlState } from '@pgq/core';
import { type Job, Queue, Worker } from '@pgq/queue';
import { beforeAll, expect, it } from 'vitest';
import { queueStillRuns } from '../src/queue-still-runs.js';
import { expectAllRefused, queueTables, type Refusal } from '../src/refusal.js';
import { useRoleLogins } from '../src/role-logins.js';
import { useFigures, useTestDatabase } from '../src/suite.js';
import { waitUntil } from '../src/wait.js';

const db = useTestDatabase();
const roles = useRoleLogins(db, ['poison', 'forgery', 'history', 'brief']);
const figures = useFigures('hostile worker');

const checkViolation = { sqlState: SqlState.checkViolation };
const uniqueViolation = { sqlState: SqlState.uniqueViolation };
// Row-level security refusing a row: "new row violates row-level security policy".
const policyViolation = { sqlState: SqlState.insufficientPrivilege };

beforeAll(async () => {
  // A queue per test, so each holds only the jobs its test made.
  for (const name of ['poison', 'forgery', 'history']) {
    await new Queue(db.pgq, name).create({ maxAttempts: 3 });
  }
  // Archived jobs are past retention at once: the worker's cleanup may remove them.
  await new Queue(db.pgq, 'brief').create({
    maxAttempts: 1,
    completedRetentionMs: 0,
    deadRetentionMs: 0,
  });
});

function expectRefused(
  figure: string,
  attacks: Record<string, [() => Promise<unknown>, Refusal]>,
): Promise<void> {
  return expectAllRefused(figures, figure, attacks, () => queueTables(db.pgq));
}

/** The worker's raw SQL on the jobs of `poison`: `set` for the job with id `id`. */
function update(set: string, id: string): Promise<unknown> {
  return roles.worker.query(
    `update ${roles.worker.table('jobs')} set ${set} where queue = 'poison' and id = $1`,
    [id],
  );
}

/**
 * The worker's insert into the archive of the `forgery` job `id` as `state`, its payload and
 * finished_at as SQL expressions over its row `j`: a copy of the live row, or with `moved`,
 * of the row the same statement deletes from `jobs`.
 */
function archiveText(
  id: string,
  state: string,
  options: { payload?: string; finishedAt?: string; moved?: boolean } = {},
): string {
  const { payload = 'j.payload', finishedAt = 'statement_timestamp()', moved = false } = options;
  const jobs = roles.worker.table('jobs');
  const source = moved
    ? `delete from ${jobs} where queue = 'forgery' and id = ${id} returning *`
    : `select * from ${jobs} where queue = 'forgery' and id = ${id}`;
  return `with j as (${source})
     insert into ${roles.worker.table('job_archive')} (id, queue, state, payload, priority,
       attempts, max_attempts, unique_key, last_error, created_at, started_at, finished_at)
     select j.id, j.queue, '${state}', ${payload}, j.priority, j.attempts, j.max_attempts,
            j.unique_key, j.last_error, j.created_at, j.started_at, ${finishedAt}
       from j`;
}

function archive(...args: Parameters<typeof archiveText>): Promise<unknown> {
  return roles.worker.query(archiveText(...args));
}

/** Runs `sql` on a worker connection that has a temporary table named `jobs`. */
async function behindTempJobs(sql: string): Promise<unknown> {
  const client = await roles.worker.pool.connect();
  try {
    await client.query('create temporary table jobs (queue text, id bigint)');
    return await client.query(sql);
  } finally {
    client.release(true);
  }
}

/** A job of `queue` that the worker login holds (claimed, active). */
async function heldJob(queue: string, payload: unknown): Promise<Job> {
  await new Queue(db.pgq, queue).enqueue(payload);
  const held = await new Queue(roles.worker, queue).dequeue();
  expect(held?.payload).toEqual(payload);
  return held!;
}

it('a worker cannot plant a time, a lease, an attempt count or a size that stops its queue', async () => {
  const held = await heldJob('poison', { held: true });
  const { id: waiting } = await new Queue(db.pgq, 'poison').enqueue({ waiting: true });
  const huge = `(select jsonb_build_object('message', string_agg(md5(n::text), ''))
                   from generate_series(1, 40000) n)`;
  await expectRefused('poisonRefused', {
    leaseInfinity: [() => update(`lease_expires_at = 'infinity'`, held.id), checkViolation],
    leaseYear9999: [() => update(`lease_expires_at = '9999-01-01'`, held.id), checkViolation],
    attemptsReset: [() => update('attempts = 0', held.id), checkViolation],
    releaseTakingTwo: [
      () =>
        update(
          `state = 'pending', attempts = attempts - 2, lease_token = null, lease_expires_at = null`,
          held.id,
        ),
      checkViolation,
    ],
    startedAtMinusInfinity: [() => update(`started_at = '-infinity'`, held.id), checkViolation],
    runAtInfinity: [() => update(`run_at = 'infinity'`, waiting), checkViolation],
    runAtMinusInfinity: [() => update(`run_at = '-infinity'`, waiting), checkViolation],
    // The next claim's `attempts + 1` would overflow, and fail every claim.
    attemptsAtIntegerLimit: [() => update('attempts = 2147483647', waiting), checkViolation],
    attemptsPastMax: [() => update('attempts = 3', waiting), checkViolation],
    // Active without a lease: no rescue would ever find it.
    activeWithoutLease: [() => update(`state = 'active'`, waiting), checkViolation],
    claimWithoutAttempt: [
      () =>
        update(
          `state = 'active', lease_token = gen_random_uuid(), lease_expires_at = now()`,
          waiting,
        ),
      checkViolation,
    ],
    workerIdOf100kB: [() => update(`worker_id = repeat('w', 100000)`, held.id), checkViolation],
    lastErrorOf1MB: [() => update(`last_error = ${huge}`, held.id), checkViolation],
    registryRowInfinity: [
      () =>
        roles.worker.query(
          `insert into ${roles.worker.table('workers')} (id, hostname, pid, queues, started_at,
             last_seen_at) values ('forever', 'h', 1, '{poison}', 'infinity', 'infinity')`,
        ),
      checkViolation,
    ],
  });
  // The job it holds is still its own to finish, and the queue runs on.
  await new Queue(roles.worker, 'poison').complete(held);
  const run = await queueStillRuns({ ...roles, admin: db.pgq }, 'poison', 20);
  expect(run).toEqual({ completed: 20, errors: [] });
  figures.completedAfterPoison = run.completed;
});

it('a worker cannot forge the archive: only the job it takes out of jobs goes in, as it was', async () => {
  const held = await heldJob('forgery', { genuine: 'held' });
  const { id: waiting } = await new Queue(db.pgq, 'forgery').enqueue({ genuine: 'waiting' });
  const forgedId = '9000000001';
  const forged = `'{"run": "the attacker''s command"}'::jsonb`;
  await expectRefused('archiveRefused', {
    forgedDeadRow: [
      () =>
        roles.worker.query(
          `insert into ${roles.worker.table('job_archive')} (id, queue, state, payload, priority,
             attempts, max_attempts, created_at)
           values (${forgedId}, 'forgery', 'dead', ${forged}, 0, 1, 1, now())`,
        ),
      policyViolation,
    ],
    heldJobWithForgedPayload: [
      () => archive(held.id, 'dead', { payload: forged }),
      policyViolation,
    ],
    // A faithful copy of a job left live: that job's own move would later fail on the key.
    heldJobCopiedLeftLive: [() => archive(held.id, 'dead'), uniqueViolation],
    // The trigger's look-up in jobs must not find a temporary table of the worker's instead.
    heldJobCopiedBehindTempTable: [
      () => behindTempJobs(archiveText(held.id, 'dead')),
      uniqueViolation,
    ],
    waitingJobCopied: [() => archive(waiting, 'dead'), policyViolation],
    movedWithForgedPayload: [
      () => archive(held.id, 'dead', { payload: forged, moved: true }),
      policyViolation,
    ],
    movedAsCancelled: [() => archive(held.id, 'cancelled', { moved: true }), policyViolation],
    movedFinishedNever: [
      () => archive(held.id, 'completed', { finishedAt: `'infinity'`, moved: true }),
      policyViolation,
    ],
  });
  const admin = new Queue(db.pgq, 'forgery');
  expect(await admin.get(forgedId)).toBeNull();
  expect(await admin.retry(forgedId)).toBe(false);

  // What it may do: fail the job it holds for good. The dead row is the job as it was, and a
  // retry runs that.
  await new Queue(roles.worker, 'forgery').fail(held, new Error('gave up'), { dead: true });
  expect(await admin.get(held.id)).toMatchObject({
    state: 'dead',
    payload: { genuine: 'held' },
    lastError: { message: 'gave up' },
  });
  expect(await admin.retry(held.id)).toBe(true);
  // A job whose lease ran out on its last attempt goes dead through the worker's own claim or
  // rescue, a move the archive's policy takes too.
  await new Queue(db.pgq, 'brief').enqueue({ genuine: 'abandoned' });
  const abandoned = await new Queue(roles.worker, 'brief').dequeue({ leaseMs: 100 });
  const payloads = new Map<string, unknown>();
  const dead: string[] = [];
  const errors: string[] = [];
  const worker = new Worker(roles.worker, 'forgery', async (job) => {
    payloads.set(job.id, job.payload);
  });
  const briefWorker = new Worker(roles.worker, 'brief', async () => {}, { rescueIntervalMs: 100 });
  briefWorker.on('dead', (job) => dead.push(job.id));
  for (const running of [worker, briefWorker]) running.on('error', (e) => errors.push(e.message));
  try {
    await Promise.all([worker.start(), briefWorker.start()]);
    await waitUntil(() => payloads.has(held.id) && payloads.has(waiting) && dead.length === 1, {
      timeoutMs: 15_000,
      message: () => `${payloads.size} ran, ${dead.length} dead; errors: ${errors.join('; ')}`,
    });
  } finally {
    await Promise.all([worker.stop(), briefWorker.stop()]);
  }
  expect(payloads.get(held.id)).toEqual({ genuine: 'held' });
  expect(payloads.get(waiting)).toEqual({ genuine: 'waiting' });
  expect(dead).toEqual([abandoned!.id]);
  expect(errors).toEqual([]);
  const run = await queueStillRuns({ ...roles, admin: db.pgq }, 'forgery', 20);
  expect(run).toEqual({ completed: 20, errors: [] });
  figures.completedAfterForgery = run.completed;
});

it("a worker cannot erase or rewrite its queues' history; past retention, its cleanup removes it", async () => {
  const held = await heldJob('history', { history: true });
  await new Queue(roles.worker, 'history').fail(held, new Error('dead on purpose'), { dead: true });
  const archive = roles.worker.table('job_archive');
  // Deleting what is not past retention finds nothing to delete.
  const before = await queueTables(db.pgq);
  const erased = await roles.worker.execute(`delete from ${archive} where queue = 'history'`);
  expect(erased.rowCount).toBe(0);
  expect(await queueTables(db.pgq)).toEqual(before);

  // In `brief` everything archived is past retention: the worker may lock and delete it (its
  // cleanup does), never rewrite a row, recent or not.
  const { id } = await new Queue(db.pgq, 'brief').enqueue({ short: true });
  const briefJob = await new Queue(roles.worker, 'brief').dequeue();
  await new Queue(roles.worker, 'brief').fail(briefJob!, new Error('dead'), { dead: true });
  const setFinishedAt = (at: string, where: string) => () =>
    roles.worker.query(`update ${archive} set finished_at = '${at}' where ${where}`);
  await expectRefused('historyRefused', {
    backdateRecent: [setFinishedAt('1970-01-01', `queue = 'history'`), policyViolation],
    keepForever: [setFinishedAt('infinity', `queue = 'brief' and id = ${id}`), policyViolation],
  });
  const worker = new Worker(roles.worker, 'brief', async () => {}, {
    rescueIntervalMs: 100,
    cleanupIntervalMs: 100,
  });
  const errors: string[] = [];
  worker.on('error', (error) => errors.push(error.message));
  try {
    await worker.start();
    await waitUntil(async () => (await archivedCount(db.pgq, 'brief')) === 0, {
      timeoutMs: 10_000,
      message: () => `the cleanup left archived jobs past retention; errors: ${errors.join('; ')}`,
    });
  } finally {
    await worker.stop();
  }
  expect(errors).toEqual([]);
});

async function archivedCount(pgq: Pgq, queue: string): Promise<number> {
  const [row] = await pgq.query<{ count: number }>(
    `select count(*)::int as count from ${pgq.table('job_archive')} where queue = $1`,
    [queue],
  );
  return row!.count;
}
