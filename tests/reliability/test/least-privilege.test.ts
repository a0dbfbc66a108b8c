// Issue 12, test 16: least privilege. docs/roles.sql, rendered the way migrate renders its
// files, creates `pgq_producer` (enqueue only) and `pgq_worker` (run jobs only), each limited
// to the queues mapped to it in `role_queues`. Login roles made here prove that each can do
// its own job, through the public API, and is refused everything else, rows unchanged.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Cache } from '@pgq/cache';
import { type Pgq, PgqError, type PgqErrorCode, SqlState } from '@pgq/core';
import { renderMigration } from '@pgq/migrate';
import { type Job, Queue, Worker } from '@pgq/queue';
import { beforeAll, expect, it } from 'vitest';
import { expectAllRefused as expectRefused, type Refusal } from '../src/refusal.js';
import { useRoleLogins } from '../src/role-logins.js';
import { schemaSnapshot } from '../src/schema-snapshot.js';
import { useFigures, useTestDatabase } from '../src/suite.js';
import { waitUntil } from '../src/wait.js';

const rolesFile = new URL('../../../docs/roles.sql', import.meta.url);
const insufficientPrivilege = SqlState.insufficientPrivilege;

const db = useTestDatabase();
const roles = useRoleLogins(db, ['allowed']);
const figures = useFigures('least privilege');
let admin: Pgq;
let producer: Pgq;
let worker: Pgq;

beforeAll(async () => {
  ({ producer, worker } = roles);
  admin = db.pgq;
  await new Queue(admin, 'allowed').create({ maxAttempts: 2, completedRetentionMs: 0 });
  await new Queue(admin, 'other').create();
});

/**
 * Asserts that every named action is refused with no row or catalog object changed; records
 * `passed/total` under `figure`.
 */
function expectAllRefused(
  figure: string,
  actions: Record<string, [() => Promise<unknown>, Refusal]>,
): Promise<void> {
  return expectRefused(figures, figure, actions, () => schemaSnapshot(admin, roles.marker));
}

const denied = { sqlState: insufficientPrivilege };
const queueNotFound = { code: 'PGQ_QUEUE_NOT_FOUND' };

it('the snippet runs under psql: placeholders only outside dollar-quoted bodies', async () => {
  const text = await readFile(rolesFile, 'utf8');
  const dollarBodies = text.split('$$').filter((_, index) => index % 2 === 1);
  expect(dollarBodies.length).toBeGreaterThan(0);
  for (const body of dollarBodies) expect(body).not.toMatch(/:["']schema["']/);
  expect(renderMigration(text, db.schema)).not.toMatch(/:["']schema["']/);
});

it('the producer enqueues to its queue and can do nothing else', async () => {
  const allowed = new Queue(producer, 'allowed');
  const single = await allowed.enqueue({ secret: 'payload' });
  const batch = await allowed.enqueueMany([{ n: 1 }, { n: 2 }]);
  const unique = await allowed.enqueue({ n: 3 }, { uniqueKey: 'once' });
  const again = await allowed.enqueue({ n: 4 }, { uniqueKey: 'once' });
  expect(again).toEqual({ id: unique.id, deduplicated: true });
  const [written] = await admin.query<{ count: number }>(
    `select count(*)::int as count from ${admin.table('jobs')} where queue = 'allowed'`,
  );
  expect(written!.count).toBe(4);
  figures.producerEnqueued = 1 + batch.length + 1;

  const other = new Queue(producer, 'other');
  const cache = new Cache(producer);
  const leaseToken = randomUUID();
  await expectAllRefused('producerRefused', {
    enqueueOtherQueue: [() => other.enqueue({}), queueNotFound],
    insertOtherQueueBySql: [
      () =>
        producer.query(
          `insert into ${producer.table('jobs')} (queue, payload, max_attempts) values ('other', '{}', 1)`,
        ),
      denied,
    ],
    dequeue: [() => allowed.dequeue(), denied],
    readPayload: [() => allowed.get(single.id), denied],
    list: [() => allowed.list(), denied],
    readPayloadBySql: [
      () => producer.query(`select payload from ${producer.table('jobs')}`),
      denied,
    ],
    readArchive: [() => producer.query(`select * from ${producer.table('job_archive')}`), denied],
    complete: [() => allowed.complete(single.id, { leaseToken }), denied],
    fail: [() => allowed.fail(single.id, new Error('no'), { leaseToken }), denied],
    cancel: [() => allowed.cancel(single.id), denied],
    purge: [() => allowed.purge(), denied],
    reprioritise: [
      () => producer.query(`update ${producer.table('jobs')} set priority = 9`),
      denied,
    ],
    deleteQueue: [() => allowed.delete(), denied],
    createQueue: [() => new Queue(producer, 'fresh').create(), denied],
    cacheGet: [() => cache.get('key'), denied],
    cacheSet: [() => cache.set('key', 1), denied],
  });
}, 60_000);

it('the worker runs its queue through Worker (claim, heartbeat, fail, rescue, clean) and nothing else', async () => {
  // With the jobs the producer test left, if it ran.
  const producing = new Queue(producer, 'allowed');
  await producing.enqueueMany([...Array.from({ length: 18 }, (_, n) => ({ n })), { fail: true }]);
  await producing.enqueue({ slow: true });
  const [pending] = await admin.query<{ count: number }>(
    `select count(*)::int as count from ${admin.table('jobs')} where queue = 'allowed'`,
  );
  const total = pending!.count;
  // A claim that is never finished: the Worker's rescue must bring it back.
  const abandoned = await new Queue(worker, 'allowed').dequeue({ leaseMs: 100 });
  expect(abandoned).not.toBeNull();

  const completed = new Map<string, Job>();
  const errors: string[] = [];
  let dead = 0;
  const running = new Worker(
    worker,
    'allowed',
    async (job: Job<{ fail?: boolean; slow?: boolean }>) => {
      if (job.payload.fail) throw new Error('always fails');
      // Longer than two leases: only heartbeats keep it.
      if (job.payload.slow) await new Promise((resolve) => setTimeout(resolve, 1_500));
      return 'ok';
    },
    {
      concurrency: 4,
      leaseMs: 600,
      rescueIntervalMs: 200,
      cleanupIntervalMs: 100,
      retry: { baseMs: 10, jitter: false },
    },
  );
  running.on('completed', (job) => completed.set(job.id, job));
  running.on('dead', () => dead++);
  running.on('error', (error) => errors.push(error.message));
  try {
    await running.start();
    await waitUntil(() => completed.size + dead >= total, {
      timeoutMs: 30_000,
      message: () => `${completed.size} completed, ${dead} dead of ${total}`,
    });
    // Completed jobs have no retention here: the worker's own cleanup deletes them.
    await waitUntil(
      async () => {
        const [left] = await admin.query<{ count: number }>(
          `select count(*)::int as count from ${admin.table('job_archive')} where state = 'completed'`,
        );
        return left!.count === 0;
      },
      {
        timeoutMs: 10_000,
        message: () => `archive cleanup did not run; errors: ${errors.join('; ')}`,
      },
    );
  } finally {
    await running.stop();
  }
  expect({ completed: completed.size, dead, errors }).toEqual({
    completed: total - 1,
    dead: 1,
    errors: [],
  });
  expect(completed.get(abandoned!.id)?.attempts).toBe(2);
  const [registry] = await admin.query<{ count: number }>(
    `select count(*)::int as count from ${admin.table('workers')}`,
  );
  expect(registry!.count).toBe(0);
  figures.workerCompleted = completed.size;
  figures.workerDead = dead;
  figures.workerRescued = 1;
  figures.workerErrors = errors.length;

  const { id: waiting } = await new Queue(admin, 'allowed').enqueue({ waiting: true });
  await new Queue(admin, 'other').enqueue({ secret: 'other' });
  const allowed = new Queue(worker, 'allowed');
  const other = new Queue(worker, 'other');
  const noEffect = { code: 'NO_EFFECT' };
  await expectAllRefused('workerRefused', {
    enqueue: [() => allowed.enqueue({}), denied],
    enqueueMany: [() => allowed.enqueueMany([{}, {}]), denied],
    // Deleting is allowed for finishing jobs only: a waiting job stays.
    cancelWaiting: [() => expectNothing(allowed.cancel(waiting)), noEffect],
    purge: [() => expectNothing(allowed.purge()), noEffect],
    rewritePayload: [
      () => worker.query(`update ${worker.table('jobs')} set payload = '{}'`),
      denied,
    ],
    deleteQueue: [() => allowed.delete(), denied],
    createQueue: [() => new Queue(worker, 'fresh').create(), denied],
    startOnOtherQueue: [() => new Worker(worker, 'other', async () => {}).start(), queueNotFound],
    claimOtherQueue: [() => expectNothing(other.dequeue()), noEffect],
    readOtherQueue: [
      () =>
        expectNothing(worker.query(`select * from ${worker.table('jobs')} where queue = 'other'`)),
      noEffect,
    ],
    archiveOtherQueue: [
      () =>
        worker.query(
          `insert into ${worker.table('job_archive')} (id, queue, state, payload, priority,
             attempts, max_attempts, created_at) values (0, 'other', 'completed', '{}', 0, 1, 1, now())`,
        ),
      denied,
    ],
    cacheGet: [() => new Cache(worker).get('key'), denied],
    cacheSet: [() => new Cache(worker).set('key', 1), denied],
  });
}, 60_000);

/** Throws `NO_EFFECT` when `action` resolves with nothing (0, false, null or no rows). */
async function expectNothing(action: Promise<unknown>): Promise<void> {
  const result = await action;
  const nothing =
    result === 0 ||
    result === false ||
    result === null ||
    (Array.isArray(result) && result.length === 0);
  // Not a code pgq throws: a marker this file's refusal checks recognise.
  if (nothing) throw new PgqError('NO_EFFECT' as PgqErrorCode, 'the action had no effect');
}
