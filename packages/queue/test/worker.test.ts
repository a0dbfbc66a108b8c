import { hostname } from 'node:os';
import { LeaseLostError, QueueNotFoundError, TimeoutError } from '@pgq/core';
import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Job, type JobHandler, Queue, Worker, type WorkerOptions } from '../src/index.js';
import { emailContract, nextEvent } from './helpers.js';

let db: TestDatabase;
const workers: Worker<any, any>[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
});

afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.stop({ timeoutMs: 1_000 })));
  // A stopped worker leaves nothing behind: no LISTEN, no registry row.
  expect(db.pgq.listener.channels).toEqual([]);
  expect(await db.pgq.db.selectFrom('workers').select('id').execute()).toEqual([]);
});

afterAll(async () => {
  await db.dispose();
});

async function freshQueue<Payload = { n: number }>(
  name: string,
  settings: Parameters<Queue['create']>[0] = {},
): Promise<Queue<Payload>> {
  const queue = new Queue<Payload>(db.pgq, name);
  await queue.create(settings);
  return queue;
}

function track<Payload, Result>(
  queue: Queue<Payload>,
  handler: JobHandler<Payload, Result>,
  options: WorkerOptions = {},
): Worker<Payload, Result> {
  const worker = new Worker<Payload, Result>(db.pgq, queue, handler, options);
  workers.push(worker);
  return worker;
}

describe('Worker', () => {
  it('runs jobs, stores what the handler returns as the result, and keeps a registry row', async () => {
    const queue = await freshQueue('basic');
    const worker = track(queue, async (job) => ({ doubled: job.payload.n * 2 }), {
      concurrency: 4,
    });
    const completed: Array<[string, unknown]> = [];
    worker.on('completed', (job, result) => completed.push([job.id, result]));
    await worker.start();
    const registry = await db.pgq.db.selectFrom('workers').selectAll().execute();
    expect(registry).toEqual([
      expect.objectContaining({
        id: worker.id,
        hostname: hostname(),
        pid: process.pid,
        queues: ['basic'],
      }),
    ]);
    const ids = (await queue.enqueueMany([{ n: 1 }, { n: 2 }, { n: 3 }])).map((job) => job.id);
    expect(await Promise.all(ids.map((id) => queue.waitFor(id, { timeoutMs: 5_000 })))).toEqual([
      { doubled: 2 },
      { doubled: 4 },
      { doubled: 6 },
    ]);
    // The NOTIFY behind waitFor can arrive before the worker has read its own completion.
    await expect.poll(() => completed.length).toBe(3);
    expect(completed.map(([id]) => id).sort()).toEqual([...ids].sort());
    await worker.stop();
    expect(worker.state).toBe('stopped');
    expect(await db.pgq.db.selectFrom('workers').selectAll().execute()).toEqual([]);
  });

  it('removes archived jobs past retention and stale registry rows in the background', async () => {
    const queue = await freshQueue('cleanup', { completedRetentionMs: 1_000 });
    await db.pgq.query(
      `insert into ${db.pgq.table('workers')} (id, hostname, pid, queues, last_seen_at)
       values ('crashed-long-ago', 'gone', 1, '{cleanup}', now() - interval '10 minutes')`,
    );
    const worker = track(queue, async () => 'done', {
      rescueIntervalMs: 50,
      cleanupIntervalMs: 50,
    });
    let completed = 0;
    worker.on('completed', () => completed++);
    await worker.start();
    await queue.enqueueMany([{ n: 1 }, { n: 2 }]);
    await expect.poll(() => completed).toBe(2);
    // Archived first, then removed by the cleanup once past the one-second retention.
    await expect.poll(() => queue.stats().then((stats) => stats.completed)).toBe(2);
    await expect
      .poll(() => queue.stats().then((stats) => stats.completed), { timeout: 5_000 })
      .toBe(0);
    await expect
      .poll(() => db.pgq.db.selectFrom('workers').select('id').execute())
      .toEqual([{ id: worker.id }]);
  });

  it("emits dead for a crashed worker's job it rescues out of attempts", async () => {
    const queue = await freshQueue('rescued_dead', { maxAttempts: 1, leaseMs: 100 });
    const { id } = await queue.enqueue({ n: 7 });
    // Claimed by a "worker" that then vanished: its lease runs out on the last attempt.
    await queue.dequeue();
    const worker = track(queue, async () => 'never', { rescueIntervalMs: 50 });
    const dead = nextEvent(worker, 'dead');
    await worker.start();
    const [job, error] = (await dead) as [{ id: string; payload: unknown }, unknown];
    expect(job).toMatchObject({ id, payload: { n: 7 }, state: 'dead' });
    expect(error).toBeInstanceOf(LeaseLostError);
    expect(await queue.get(id)).toMatchObject({ state: 'dead' });
  });

  it('refuses to start on a queue that does not exist', async () => {
    const worker = track(new Queue(db.pgq, 'nowhere'), async () => {});
    await expect(worker.start()).rejects.toThrow(QueueNotFoundError);
  });

  it('refuses a workerId longer than the 1024 bytes jobs.worker_id holds', () => {
    expect(
      () => new Worker(db.pgq, 'nowhere', async () => {}, { workerId: 'é'.repeat(513) }),
    ).toThrow(/workerId must be a string of at most 1024 UTF-8 bytes/);
  });

  it('never runs more than `concurrency` jobs at once, claiming to fill free slots', async () => {
    const queue = await freshQueue('concurrency');
    let running = 0;
    let most = 0;
    const worker = track(
      queue,
      async () => {
        running++;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 20));
        running--;
      },
      { concurrency: 5 },
    );
    const ids = (await queue.enqueueMany(Array.from({ length: 40 }, (_, n) => ({ n })))).map(
      (job) => job.id,
    );
    await worker.start();
    await Promise.all(ids.map((id) => queue.waitFor(id)));
    expect(most).toBe(5);
  });

  it('claims a job announced while every slot was busy as soon as a slot frees, not at the poll', async () => {
    const queue = await freshQueue('busy_wake');
    let release: () => void = () => {};
    const started: number[] = [];
    const worker = track(
      queue,
      async (job) => {
        started.push(job.payload.n);
        if (job.payload.n === 1) await new Promise<void>((resolve) => (release = resolve));
      },
      { concurrency: 1, pollIntervalMs: 60_000 },
    );
    await worker.start();
    const first = await queue.enqueue({ n: 1 });
    await expect.poll(() => started, { timeout: 2_000 }).toEqual([1]);
    // Announced while the only slot is busy: the claim it wakes has no room to take it.
    const second = await queue.enqueue({ n: 2 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const releasedAt = Date.now();
    release();
    await queue.waitFor(first.id, { timeoutMs: 2_000 });
    await queue.waitFor(second.id, { timeoutMs: 5_000 });
    expect(Date.now() - releasedAt).toBeLessThan(1_000);
  });

  it('runs by priority and never starts a scheduled job early, waking for it on time', async () => {
    const queue = await freshQueue('schedule');
    const order: number[] = [];
    const started = new Map<number, number>();
    const worker = track(
      queue,
      async (job) => {
        order.push(job.payload.n);
        started.set(job.payload.n, Date.now());
      },
      { concurrency: 1, pollIntervalMs: 60_000 },
    );
    await queue.enqueueMany([
      { payload: { n: 1 }, priority: 1 },
      { payload: { n: 2 }, priority: 9 },
      { payload: { n: 3 }, priority: 5 },
    ]);
    await worker.start();
    const enqueuedAt = Date.now();
    const { id } = await queue.enqueue({ n: 4 }, { delayMs: 400, priority: 100 });
    await queue.waitFor(id, { timeoutMs: 5_000 });
    expect(order).toEqual([2, 3, 1, 4]);
    const waitedMs = started.get(4)! - enqueuedAt;
    expect(waitedMs).toBeGreaterThanOrEqual(400);
    expect(waitedMs).toBeLessThan(1_500); // woken by its timer, not by the 60 s poll
  });

  it('picks up a due job whose row was locked during its claim, without waiting for a poll', async () => {
    const queue = await freshQueue('locked_row');
    const { id } = await queue.enqueue({ n: 1 });
    const holder = await db.pgq.pool.connect();
    try {
      // Another transaction holds the row (as waitFor's flag update or a cancel briefly do).
      await holder.query('begin');
      await holder.query(`select 1 from ${db.pgq.table('jobs')} where id = $1 for update`, [id]);
      const worker = track(queue, async () => 'ran', { pollIntervalMs: 60_000 });
      await worker.start();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect((await queue.get(id))?.state).toBe('pending');
    } finally {
      await holder.query('commit');
      holder.release();
    }
    const releasedAt = Date.now();
    expect(await queue.waitFor(id, { timeoutMs: 5_000 })).toBe('ran');
    expect(Date.now() - releasedAt).toBeLessThan(1_500);
  });

  it('also picks up a held row that a claim passed over while taking the others', async () => {
    const queue = await freshQueue('locked_among_free');
    const [held, free] = await queue.enqueueMany([{ n: 1 }, { n: 2 }]);
    const holder = await db.pgq.pool.connect();
    const ran: number[] = [];
    try {
      await holder.query('begin');
      await holder.query(`select 1 from ${db.pgq.table('jobs')} where id = $1 for update`, [
        held!.id,
      ]);
      const worker = track(queue, async (job) => ran.push(job.payload.n), {
        concurrency: 4,
        pollIntervalMs: 60_000,
      });
      await worker.start();
      await queue.waitFor(free!.id, { timeoutMs: 5_000 });
      expect(ran).toEqual([2]);
    } finally {
      await holder.query('commit');
      holder.release();
    }
    const releasedAt = Date.now();
    await queue.waitFor(held!.id, { timeoutMs: 5_000 });
    expect(ran).toEqual([2, 1]);
    expect(Date.now() - releasedAt).toBeLessThan(1_500);
  });

  it('retries with exponential backoff, then dead with the last error; retry() revives it', async () => {
    const queue = await freshQueue('backoff', { maxAttempts: 3 });
    const startedAt: number[] = [];
    let healthy = false;
    const worker = track(
      queue,
      async () => {
        startedAt.push(Date.now());
        if (!healthy) throw new RangeError(`attempt ${startedAt.length} failed`);
        return 'recovered';
      },
      { retry: { baseMs: 200, factor: 2, jitter: false }, pollIntervalMs: 60_000 },
    );
    const failures: Date[] = [];
    worker.on('failed', (_job, _error, runAt) => failures.push(runAt));
    const dead = nextEvent(worker, 'dead');
    await worker.start();
    const { id } = await queue.enqueue({ n: 1 });
    const [deadJob, deadError] = (await dead) as [Job, Error];
    expect(deadJob.id).toBe(id);
    expect(deadError.message).toBe('attempt 3 failed');
    expect(failures).toHaveLength(2);
    const gaps = [startedAt[1]! - startedAt[0]!, startedAt[2]! - startedAt[1]!];
    console.log(`backoff gaps (expected 200 ms, 400 ms): ${gaps.join(' ms, ')} ms`);
    expect(gaps[0]).toBeGreaterThanOrEqual(195);
    expect(gaps[0]).toBeLessThan(200 + 250);
    expect(gaps[1]).toBeGreaterThanOrEqual(395);
    expect(gaps[1]).toBeLessThan(400 + 250);
    expect(await queue.get(id)).toMatchObject({
      state: 'dead',
      attempts: 3,
      lastError: { name: 'RangeError', message: 'attempt 3 failed' },
    });
    await expect(queue.waitFor(id)).rejects.toMatchObject({ code: 'PGQ_REMOTE' });
    healthy = true;
    expect(await queue.retry(id)).toBe(true);
    expect(await queue.waitFor(id, { timeoutMs: 5_000 })).toBe('recovered');
    expect((await queue.get(id))?.attempts).toBe(1);
  });

  it('records a thrown non-Error readably, and a non-JSON result as a failure', async () => {
    const queue = await freshQueue('non_error', { maxAttempts: 1 });
    const worker = track(queue, async (job): Promise<unknown> => {
      if (job.payload.n === 1) throw { status: 503, reason: 'upstream' };
      return { id: 1n };
    });
    await worker.start();
    const [thrown, badResult] = await queue.enqueueMany([{ n: 1 }, { n: 2 }]);
    await expect(queue.waitFor(thrown!.id)).rejects.toThrow('{"status":503,"reason":"upstream"}');
    await expect(queue.waitFor(badResult!.id)).rejects.toThrow(/result\.id: BigInt is not JSON/);
  });

  it('sends a payload that fails the contract straight to dead and carries on', async () => {
    const contract = emailContract('validated');
    const producer = new Queue(db.pgq, 'validated');
    await producer.create({ maxAttempts: 5 });
    const seen: string[] = [];
    const worker = new Worker(db.pgq, contract, async (job) => {
      seen.push(job.payload.to);
      return job.payload.count;
    });
    workers.push(worker);
    const dead = nextEvent(worker, 'dead');
    await worker.start();
    // Written by another program that skipped validation.
    const bad = await producer.enqueue({ to: 'no at sign' });
    const good = await producer.enqueue({ to: 'ada@example.com' });
    expect(((await dead)[0] as Job).id).toBe(bad.id);
    expect(await producer.waitFor(good.id)).toBe(1);
    expect(await producer.get(bad.id)).toMatchObject({
      state: 'dead',
      attempts: 1,
      lastError: { name: 'ValidationError', message: 'Invalid payload: to: Invalid email' },
    });
    expect(seen).toEqual(['ada@example.com']);
  });
});

describe('transactional: true', () => {
  beforeAll(async () => {
    await db.pgq.query(`create table ${db.pgq.table('side_effects')} (job_id bigint, note text)`);
  });

  async function sideEffects(): Promise<string[]> {
    const rows = await db.pgq.query<{ note: string }>(
      `select note from ${db.pgq.table('side_effects')} order by note`,
    );
    return rows.map((row) => row.note);
  }

  it('refuses to start when running jobs would take every pool connection', async () => {
    const queue = await freshQueue('transactional_pool');
    const small = db.connect({ max: 4 });
    const worker = new Worker(small, queue.name, async () => {}, {
      transactional: true,
      concurrency: 4,
    });
    await expect(worker.start()).rejects.toMatchObject({ code: 'PGQ_POOL_TOO_SMALL' });
    await worker.stop();
  });

  it('survives its transaction connection being killed mid-job: the attempt fails, the job retries', async () => {
    const queue = await freshQueue('transactional_killed', { maxAttempts: 2 });
    let first = true;
    const worker = track(
      queue,
      async (_job, ctx) => {
        if (first) {
          first = false;
          const [{ pid }] = (await ctx.tx!.query('select pg_backend_pid() as pid')).rows;
          await db.pgq.query('select pg_terminate_backend($1)', [pid]);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        return 'done';
      },
      { transactional: true, retry: { baseMs: 10 } },
    );
    const failed = nextEvent(worker, 'failed');
    await worker.start();
    const { id } = await queue.enqueue({ n: 1 });
    await failed;
    expect(await queue.waitFor(id, { timeoutMs: 10_000 })).toBe('done');
  });

  it('rolls back the handler writes when it throws, and commits them with completion', async () => {
    const queue = await freshQueue('transactional', { maxAttempts: 2 });
    const worker = track(
      queue,
      async (job, ctx) => {
        await ctx.tx!.query(
          `insert into ${db.pgq.table('side_effects')} (job_id, note) values ($1, $2)`,
          [job.id, `attempt ${job.attempts}`],
        );
        if (job.attempts === 1) throw new Error('first attempt fails after writing');
        return 'committed';
      },
      { transactional: true, retry: { baseMs: 10 } },
    );
    await worker.start();
    const { id } = await queue.enqueue({ n: 1 });
    expect(await queue.waitFor(id, { timeoutMs: 5_000 })).toBe('committed');
    expect(await sideEffects()).toEqual(['attempt 2']);
    expect(await queue.get(id)).toMatchObject({ state: 'completed', attempts: 2 });
  });

  it('rolls back the handler writes when the lease was lost before completion', async () => {
    const queue = await freshQueue('transactional_lost');
    let cancelled: () => void = () => {};
    const wasCancelled = new Promise<void>((resolve) => (cancelled = resolve));
    const worker = track(
      queue,
      async (job, ctx) => {
        await ctx.tx!.query(
          `insert into ${db.pgq.table('side_effects')} (job_id, note) values ($1, 'lost lease')`,
          [job.id],
        );
        await wasCancelled;
        return 'too late';
      },
      { transactional: true },
    );
    const error = nextEvent(worker, 'error');
    await worker.start();
    const { id } = await queue.enqueue({ n: 1 });
    await expect.poll(() => queue.get(id).then((job) => job?.state)).toBe('active');
    expect(await queue.cancel(id)).toBe(true);
    cancelled();
    expect((await error)[0]).toBeInstanceOf(LeaseLostError);
    expect(await sideEffects()).not.toContain('lost lease');
    expect((await queue.get(id))?.state).toBe('cancelled');
  });
});

describe('leases and stopping', () => {
  it('heartbeats keep a long job leased: a second worker never takes it', async () => {
    const queue = await freshQueue('heartbeat', { leaseMs: 300 });
    const runs: string[] = [];
    const handler: JobHandler<{ n: number }, void> = async (_job, ctx) => {
      runs.push(ctx.workerId);
      await new Promise((resolve) => setTimeout(resolve, 1_200));
    };
    const options = { rescueIntervalMs: 100, pollIntervalMs: 100 };
    const first = track(queue, handler, options);
    await first.start();
    const { id } = await queue.enqueue({ n: 1 });
    await expect.poll(() => runs.length).toBe(1);
    const second = track(queue, handler, options);
    await second.start();
    await queue.waitFor(id, { timeoutMs: 5_000 });
    expect(runs).toEqual([first.id]);
  });

  it('aborts ctx.signal when the lease is lost (here: the job was cancelled)', async () => {
    const queue = await freshQueue('signal', { leaseMs: 600 });
    let reason: unknown;
    const worker = track(queue, async (_job, ctx) => {
      await new Promise<void>((resolve) =>
        ctx.signal.addEventListener('abort', () => {
          reason = ctx.signal.reason;
          resolve();
        }),
      );
    });
    await worker.start();
    const { id } = await queue.enqueue({ n: 1 });
    await expect.poll(() => worker.runningCount).toBe(1);
    await queue.cancel(id);
    await expect.poll(() => reason, { timeout: 2_000 }).toBeInstanceOf(LeaseLostError);
  });

  it('stop() lets running jobs finish and takes nothing new', async () => {
    const queue = await freshQueue('graceful');
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const worker = track(queue, async () => gate.then(() => 'finished'), { concurrency: 1 });
    await worker.start();
    const [running, waiting] = await queue.enqueueMany([{ n: 1 }, { n: 2 }]);
    await expect.poll(() => worker.runningCount).toBe(1);
    const stopped = worker.stop({ timeoutMs: 5_000 });
    release();
    await stopped;
    expect((await queue.get(running!.id))?.state).toBe('completed');
    expect((await queue.get(waiting!.id))?.state).toBe('pending');
  });

  it('past the stop timeout, aborts the handlers and hands their jobs back, attempt not counted', async () => {
    const queue = await freshQueue('stop_timeout');
    let reason: unknown;
    const worker = track(queue, async (_job, ctx) => {
      ctx.signal.addEventListener('abort', () => {
        reason = ctx.signal.reason;
      });
      await new Promise((resolve) => setTimeout(resolve, 600));
      return 'ignored';
    });
    await worker.start();
    const { id } = await queue.enqueue({ n: 1 });
    await expect.poll(() => worker.runningCount).toBe(1);
    await worker.stop({ timeoutMs: 100 });
    expect(reason).toBeInstanceOf(TimeoutError);
    expect(await queue.get(id)).toMatchObject({ state: 'pending', attempts: 0, leaseToken: null });
    const next = track(queue, async () => 'ran again');
    await next.start();
    expect(await queue.waitFor(id, { timeoutMs: 5_000 })).toBe('ran again');
  });
});
