import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { LeaseLostError, ValidationError } from '@pgq/core';
import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Job, Queue, UniqueKeyConflictError, Worker } from '../src/index.js';
import { watching } from '../src/test-signals.js';
import { countRows, nextEvent } from './helpers.js';

const repositoryRoot = fileURLToPath(new URL('../../..', import.meta.url));
const consumerScript = fileURLToPath(new URL('./fixtures/consumer-process.ts', import.meta.url));

let db: TestDatabase;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  db = await createTestDatabase();
});

afterEach(() => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
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

/** Moves the queue's active leases into the past, as if their worker died long ago. */
async function expireLeases(queue: Queue<any>): Promise<void> {
  await db.pgq.query(
    `update ${db.pgq.table('jobs')} set lease_expires_at = now() - interval '1 second'
      where queue = $1 and state = 'active'`,
    [queue.name],
  );
}

async function rescue(queue: Queue<any>): Promise<{ retried: number; dead: number }> {
  const { jobsRescue } = await import('../src/sql/jobs-rescue.js');
  const { retried, dead } = await jobsRescue(db.pgq, queue.name, 100);
  return { retried, dead: dead.length };
}

/** Four claimers on connections of their own take 7 jobs at a time until none is left. */
async function claimConcurrently(queue: Queue<unknown>): Promise<Job[]> {
  const claimers = Array.from({ length: 4 }, () => new Queue(db.connect({ max: 3 }), queue.name));
  const claimed: Job[] = [];
  await Promise.all(
    claimers.map(async (claimer) => {
      for (;;) {
        const jobs = await claimer.dequeueMany(7);
        if (jobs.length === 0) return;
        claimed.push(...jobs);
      }
    }),
  );
  return claimed;
}

interface ConsumerClaim {
  id: string;
  leaseToken: string;
  leaseExpiresAt: Date;
}

/**
 * Runs a hand consumer in a process of its own (no Worker): it dequeues one job under a
 * `leaseMs` lease and reports the claim, then is SIGKILLed before it can finish the job.
 */
async function killedConsumer(queue: Queue<unknown>, leaseMs: number): Promise<ConsumerClaim> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@pgq/source', consumerScript],
    {
      cwd: repositoryRoot,
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        PGQ_SCHEMA: db.schema,
        QUEUE: queue.name,
        LEASE_MS: String(leaseMs),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  children.add(child);
  const exited = once(child, 'exit');
  const [line] = (await Promise.race([
    once(createInterface({ input: child.stdout! }), 'line'),
    exited.then(([code]) => {
      throw new Error(`consumer process exited before claiming (${code})`);
    }),
  ])) as [string];
  child.kill('SIGKILL');
  const [, signal] = await exited;
  expect(signal).toBe('SIGKILL');
  const claim = JSON.parse(line) as ConsumerClaim & { leaseExpiresAt: string };
  return { ...claim, leaseExpiresAt: new Date(claim.leaseExpiresAt) };
}

/**
 * Waits until the database clock (the one leases are judged by) has passed `at`: the lease
 * expiry is the event, and the server is the one to say it has come.
 */
async function untilDatabaseTime(at: Date): Promise<void> {
  await db.pgq.query(
    `select pg_sleep(greatest(0, extract(epoch from $1::timestamptz - clock_timestamp())))`,
    [at],
  );
}

describe('dequeue', () => {
  it('claims by priority, then run_at, then id, and never before run_at', async () => {
    const queue = await freshQueue('order');
    const now = Date.now();
    await queue.enqueue({ n: 1 }, { runAt: new Date(now - 3_000) });
    await queue.enqueue({ n: 2 }, { runAt: new Date(now - 5_000) });
    await queue.enqueue({ n: 3 }, { priority: 5 });
    await queue.enqueue({ n: 4 }, { priority: -1, runAt: new Date(now - 60_000) });
    await queue.enqueue({ n: 5 }, { delayMs: 60_000, priority: 100 });
    await queue.enqueue({ n: 6 });
    const claimed = await queue.dequeueMany(10);
    expect(claimed.map((job) => job.payload.n)).toEqual([3, 2, 1, 6, 4]);
    expect(await queue.dequeue()).toBeNull();
    expect(await queue.stats()).toMatchObject({ pending: 0, scheduled: 1, active: 5 });
  });

  it('gives each claim a lease on the database clock and a fresh token', async () => {
    const queue = await freshQueue('lease', { leaseMs: 5_000 });
    await queue.enqueue({ n: 1 });
    const job = (await queue.dequeue())!;
    expect(job.state).toBe('active');
    expect(job.attempts).toBe(1);
    expect(job.leaseToken).toMatch(/^[0-9a-f-]{36}$/);
    const leaseMs = job.leaseExpiresAt!.getTime() - job.startedAt!.getTime();
    expect(leaseMs).toBe(5_000);
    const extended = await queue.extendLease(job, 60_000);
    expect(extended.getTime()).toBeGreaterThan(job.leaseExpiresAt!.getTime());
  });

  it('concurrent claimers never share a job', async () => {
    const queue = await freshQueue('claim_race');
    await queue.enqueueMany(Array.from({ length: 400 }, (_, n) => ({ n })));
    const claimed = (await claimConcurrently(queue)).map((job) => job.id);
    expect(claimed).toHaveLength(400);
    expect(new Set(claimed).size).toBe(400);
  });
});

describe('complete and fail by hand', () => {
  it('completes with a result, by Job or by the id this Queue dequeued', async () => {
    const queue = await freshQueue('by_hand');
    await queue.enqueueMany([{ n: 1 }, { n: 2 }, { n: 3 }]);
    const [first, second, third] = await queue.dequeueMany(3);
    await queue.complete(first!, { result: { ok: 1 } });
    await queue.complete(second!.id, { result: 'two' });
    const other = new Queue(db.pgq, queue.name);
    await expect(other.complete(third!.id)).rejects.toThrow(ValidationError);
    await other.complete(third!.id, { leaseToken: third!.leaseToken! });
    const done = await queue.get(first!.id);
    expect(done).toMatchObject({ state: 'completed', result: { ok: 1 }, attempts: 1 });
    expect(done?.durationMs).toBeGreaterThanOrEqual(0);
    expect((await queue.get(second!.id))?.result).toBe('two');
    expect(await countRows(db.pgq, 'jobs', queue.name)).toBe(0);
    expect(await countRows(db.pgq, 'job_archive', queue.name)).toBe(3);
  });

  it('completeMany reports lost leases instead of throwing', async () => {
    const queue = await freshQueue('complete_many');
    await queue.enqueueMany([{ n: 1 }, { n: 2 }, { n: 3 }]);
    const jobs = await queue.dequeueMany(3);
    await queue.cancel(jobs[2]!.id);
    const outcome = await queue.completeMany([
      jobs[0]!,
      { job: jobs[1]!, result: { n: 2 } },
      jobs[2]!,
    ]);
    expect(outcome).toEqual({ completed: [jobs[0]!.id, jobs[1]!.id], lost: [jobs[2]!.id] });
    expect((await queue.get(jobs[2]!.id))?.state).toBe('cancelled');
  });

  it('fail retries with backoff on the database clock, then dead with the last error', async () => {
    const queue = await freshQueue('fail', { maxAttempts: 2 });
    const { id } = await queue.enqueue({ n: 1 });
    const first = (await queue.dequeue())!;
    const retried = await queue.fail(first, new TypeError('first'), {
      retry: { baseMs: 60_000, jitter: false },
    });
    expect(retried.state).toBe('pending');
    const job = await queue.get(id);
    expect(job).toMatchObject({
      state: 'pending',
      lastError: { name: 'TypeError', message: 'first' },
    });
    const backoffMs = (retried as { runAt: Date }).runAt.getTime() - first.startedAt!.getTime();
    expect(backoffMs).toBeGreaterThanOrEqual(60_000);
    expect(backoffMs).toBeLessThan(61_000);
    expect(await queue.dequeue()).toBeNull(); // not before its run_at
    await db.pgq.query(`update ${db.pgq.table('jobs')} set run_at = now() where id = $1`, [id]);
    const second = (await queue.dequeue())!;
    expect(second.attempts).toBe(2);
    expect(await queue.fail(second, 'a string was thrown')).toEqual({ state: 'dead' });
    expect(await queue.get(id)).toMatchObject({
      state: 'dead',
      attempts: 2,
      lastError: { name: 'NonError', message: 'a string was thrown' },
    });
  });

  it('fail({ dead: true }) skips the remaining attempts', async () => {
    const queue = await freshQueue('fail_dead', { maxAttempts: 10 });
    await queue.enqueue({ n: 1 });
    const job = (await queue.dequeue())!;
    expect(await queue.fail(job, new Error('hopeless'), { dead: true })).toEqual({ state: 'dead' });
  });
});

describe('fencing', () => {
  it('a late completion after the lease was rescued and re-claimed gets LeaseLostError and changes nothing', async () => {
    const queue = await freshQueue('fence', { leaseMs: 100 });
    const { id } = await queue.enqueue({ n: 1 });
    const stale = (await queue.dequeue())!;
    await expireLeases(queue);
    expect(await rescue(queue)).toEqual({ retried: 1, dead: 0 });
    const fresh = (await queue.dequeue())!;
    expect(fresh.id).toBe(id);
    expect(fresh.leaseToken).not.toBe(stale.leaseToken);
    await expect(queue.complete(stale, { result: 'late' })).rejects.toThrow(LeaseLostError);
    await expect(queue.fail(stale, new Error('late'))).rejects.toThrow(LeaseLostError);
    await expect(queue.extendLease(stale, 1_000)).rejects.toThrow(LeaseLostError);
    expect(await queue.get(id)).toMatchObject({ state: 'active', leaseToken: fresh.leaseToken });
    await queue.complete(fresh, { result: 'on time' });
    expect((await queue.get(id))?.result).toBe('on time');
  });

  it('a batch holding a stale and the current claim of one job completes only the current one', async () => {
    const queue = await freshQueue('fence_batch', { leaseMs: 100 });
    const { id } = await queue.enqueue({ n: 1 });
    const stale = (await queue.dequeue())!;
    await expireLeases(queue);
    await rescue(queue);
    const current = (await queue.dequeue())!;
    expect(await queue.completeMany([stale, current])).toEqual({ completed: [id], lost: [id] });
    expect(await queue.get(id)).toMatchObject({ state: 'completed', attempts: 2 });
  });

  it('refuses a bare id once this Queue claimed the job twice: the stale claim cannot act for the new one', async () => {
    const queue = await freshQueue('fence_by_id', { leaseMs: 100 });
    const { id } = await queue.enqueue({ n: 1 });
    const stale = (await queue.dequeue())!;
    await expireLeases(queue);
    await rescue(queue);
    const fresh = (await queue.dequeue())!;
    await expect(queue.complete(id)).rejects.toThrow(ValidationError);
    await expect(queue.fail(id, new Error('late'))).rejects.toThrow(ValidationError);
    await expect(queue.extendLease(id, 1_000)).rejects.toThrow(ValidationError);
    expect(await queue.get(id)).toMatchObject({ state: 'active', leaseToken: fresh.leaseToken });
    // Once the stale claim is settled (lost), the id means the fresh claim again.
    await expect(queue.complete(stale)).rejects.toThrow(LeaseLostError);
    await queue.complete(id, { result: 'fresh' });
    expect(await queue.get(id)).toMatchObject({ state: 'completed', result: 'fresh' });
  });

  it('a claim inside a long transaction still gets its whole lease', async () => {
    const queue = await freshQueue('claim_in_tx');
    await queue.enqueue({ n: 1 });
    const client = await db.pgq.pool.connect();
    try {
      await client.query('begin');
      await client.query('select pg_sleep(0.3)');
      const job = (await queue.dequeue({ leaseMs: 1_000, tx: client }))!;
      const [{ remaining_ms }] = (
        await client.query(
          `select extract(epoch from lease_expires_at - clock_timestamp()) * 1000 as remaining_ms
             from ${db.pgq.table('jobs')} where id = $1`,
          [job.id],
        )
      ).rows;
      await client.query('commit');
      expect(Number(remaining_ms)).toBeGreaterThan(800);
    } finally {
      client.release();
    }
  });

  it('the rescue never reverts a job that completed, and kills one out of attempts', async () => {
    const queue = await freshQueue('rescue', { maxAttempts: 1 });
    await queue.enqueueMany([{ n: 1 }, { n: 2 }]);
    const [done, abandoned] = await queue.dequeueMany(2);
    await expireLeases(queue);
    await queue.complete(done!);
    expect(await rescue(queue)).toEqual({ retried: 0, dead: 1 });
    expect((await queue.get(done!.id))?.state).toBe('completed');
    expect(await queue.get(abandoned!.id)).toMatchObject({
      state: 'dead',
      lastError: { name: 'LeaseExpiredError' },
    });
  });
});

describe('expired leases without a Worker (issue 16)', () => {
  it("the next dequeue after a SIGKILLed consumer's lease takes its job as a new attempt; the dead consumer is fenced", async () => {
    const queue = await freshQueue('killed_consumer', { maxAttempts: 3 });
    const { id } = await queue.enqueue({ n: 1 });
    const killed = await killedConsumer(queue, 3_000);
    expect(killed.id).toBe(id);
    // The lease still holds: nobody takes the job yet.
    expect(await queue.dequeue()).toBeNull();

    await untilDatabaseTime(killed.leaseExpiresAt);
    // One claim after the lease ran out is enough: no sweep, no second try.
    const again = (await queue.dequeue({ leaseMs: 30_000 }))!;
    expect(again).toMatchObject({
      id,
      state: 'active',
      attempts: 2,
      lastError: { name: 'LeaseExpiredError' },
    });
    expect(again.leaseToken).not.toBe(killed.leaseToken);

    // The dead consumer's completion arriving late, from another connection with its token.
    const late = new Queue(db.connect({ max: 1 }), queue.name);
    await expect(late.complete(id, { leaseToken: killed.leaseToken })).rejects.toThrow(
      LeaseLostError,
    );
    await expect(late.extendLease(id, 60_000, { leaseToken: killed.leaseToken })).rejects.toThrow(
      LeaseLostError,
    );
    expect(await queue.get(id)).toMatchObject({ state: 'active', leaseToken: again.leaseToken });
    await queue.complete(again, { result: 'second attempt' });
    expect(await queue.get(id)).toMatchObject({
      state: 'completed',
      attempts: 2,
      result: 'second attempt',
    });
  }, 30_000);

  it("a SIGKILLed consumer's job on its last attempt goes dead at the next dequeue after its lease", async () => {
    const queue = await freshQueue('killed_last', { maxAttempts: 1 });
    const { id } = await queue.enqueue({ n: 1 });
    const killed = await killedConsumer(queue, 1_000);
    const { id: next } = await queue.enqueue({ n: 2 });

    await untilDatabaseTime(killed.leaseExpiresAt);
    const claimed = await queue.dequeueMany(10);
    expect(claimed.map((job) => job.id)).toEqual([next]);
    expect(await queue.get(id)).toMatchObject({
      state: 'dead',
      attempts: 1,
      lastError: { name: 'LeaseExpiredError' },
    });
    expect(await countRows(db.pgq, 'jobs', queue.name)).toBe(1);
    const late = new Queue(db.connect({ max: 1 }), queue.name);
    await expect(late.complete(id, { leaseToken: killed.leaseToken })).rejects.toThrow(
      LeaseLostError,
    );
    expect((await queue.get(id))?.state).toBe('dead');
  }, 30_000);

  it('takes expired jobs in claim order among the pending ones', async () => {
    const queue = await freshQueue('expired_order');
    const { id: early } = await queue.enqueue({ n: 1 });
    await queue.dequeue();
    await expireLeases(queue);
    const { id: urgent } = await queue.enqueue({ n: 2 }, { priority: 5 });
    const { id: later } = await queue.enqueue({ n: 3 });
    // The expired job kept its place: behind a higher priority, ahead of a younger job.
    expect((await queue.dequeue())!.id).toBe(urgent);
    const [first, second] = await queue.dequeueMany(1);
    expect([first!.id, second]).toEqual([early, undefined]);
    expect((await queue.dequeue())!.id).toBe(later);
  });

  it('concurrent claimers never share a job, expired or pending', async () => {
    const queue = await freshQueue('expired_race');
    await queue.enqueueMany(Array.from({ length: 300 }, (_, n) => ({ n })));
    const abandoned = await queue.dequeueMany(150);
    await expireLeases(queue);
    const claimed = await claimConcurrently(queue);
    expect(claimed).toHaveLength(300);
    expect(new Set(claimed.map((job) => job.id)).size).toBe(300);
    const retaken = new Set(abandoned.map((job) => job.id));
    for (const job of claimed) expect(job.attempts).toBe(retaken.has(job.id) ? 2 : 1);
  });

  it("a Worker's claim takes back expired leases without its sweep, and reports the last-attempt ones dead", async () => {
    const queue = await freshQueue('expired_worker');
    const { id: retried } = await queue.enqueue({ n: 1 }, { maxAttempts: 2 });
    const { id: spent } = await queue.enqueue({ n: 2 }, { maxAttempts: 1 });
    expect(await queue.dequeueMany(2, { leaseMs: 60_000 })).toHaveLength(2);
    const worker = new Worker(db.connect(), queue.name, async (job) => job.attempts, {
      rescueIntervalMs: 3_600_000, // its sweep runs at start only
      pollIntervalMs: 50,
    });
    await worker.start();
    try {
      const completed = nextEvent(worker, 'completed');
      const dead = nextEvent(worker, 'dead');
      await expireLeases(queue);
      const [deadJob, error] = (await dead) as [Job, Error];
      expect(deadJob).toMatchObject({ id: spent, state: 'dead' });
      expect(error).toBeInstanceOf(LeaseLostError);
      const [completedJob, result] = (await completed) as [Job, number];
      expect([completedJob.id, result]).toEqual([retried, 2]);
    } finally {
      await worker.stop();
    }
  });
});

describe('completedRetentionMs: 0', () => {
  it('keeps no completed job, except one a waiter waits on', async () => {
    const queue = await freshQueue<{ n: number }>('no_retention', { completedRetentionMs: 0 });
    const [plain, waited] = await queue.enqueueMany([{ n: 1 }, { n: 2 }]);
    const flagged = watching(queue.name, [waited!.id]);
    const result = queue.waitFor(waited!.id, { timeoutMs: 5_000 });
    await flagged;
    const jobs = await queue.dequeueMany(2);
    await queue.completeMany(jobs.map((job) => ({ job, result: job.payload.n * 10 })));
    expect(await result).toBe(20);
    expect(await queue.get(plain!.id)).toBeNull();
    expect(await countRows(db.pgq, 'job_archive', queue.name)).toBe(1);
    expect(await countRows(db.pgq, 'jobs', queue.name)).toBe(0);
  });
});

describe('manage', () => {
  it('cancel, retry, purge, get, list and stats', async () => {
    const queue = await freshQueue('manage', { maxAttempts: 1 });
    const [a, b, c, d] = await queue.enqueueMany([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]);
    expect(await queue.cancel(a!.id)).toBe(true);
    expect(await queue.cancel(a!.id)).toBe(false);
    const claimed = (await queue.dequeue())!;
    expect(claimed.id).toBe(b!.id);
    await queue.fail(claimed, new Error('broken'));
    expect(await queue.stats()).toMatchObject({
      pending: 2,
      active: 0,
      dead: 1,
      cancelled: 1,
      completed: 0,
    });
    expect((await queue.list({ state: 'dead' })).map((job) => job.id)).toEqual([b!.id]);
    const page1 = await queue.list({ limit: 2 });
    const page2 = await queue.list({ limit: 2, cursor: page1.at(-1)!.id });
    expect([...page1, ...page2].map((job) => job.id)).toEqual([d!.id, c!.id, b!.id, a!.id]);
    expect((await queue.list({ limit: 1, offset: 3 }))[0]?.id).toBe(a!.id);

    expect(await queue.retry(b!.id)).toBe(true);
    expect(await queue.retry(b!.id)).toBe(false);
    expect(await queue.get(b!.id)).toMatchObject({
      state: 'pending',
      attempts: 0,
      lastError: { message: 'broken' },
    });
    expect(await queue.retry(a!.id)).toBe(true);
    expect(await queue.purge()).toBe(4);
    expect(await queue.stats()).toMatchObject({ pending: 0, dead: 0, cancelled: 0 });
    expect(await queue.get('999999999')).toBeNull();
    await expect(queue.get('not-an-id')).rejects.toThrow(ValidationError);
    await expect(queue.list({ state: 'bogus' as 'dead' })).rejects.toThrow(ValidationError);
  });

  it('retry refuses to revive a job whose unique key is live again', async () => {
    const queue = await freshQueue('retry_unique', { maxAttempts: 1 });
    const { id } = await queue.enqueue({ n: 1 }, { uniqueKey: 'k' });
    await queue.fail((await queue.dequeue())!, new Error('x'));
    await queue.enqueue({ n: 2 }, { uniqueKey: 'k' });
    await expect(queue.retry(id)).rejects.toThrow(UniqueKeyConflictError);
    expect((await queue.get(id))?.state).toBe('dead');
  });

  it('cleans the archive past retention in bounded batches', async () => {
    const queue = await freshQueue('retention', {
      completedRetentionMs: 60_000,
      deadRetentionMs: 3_600_000,
    });
    await queue.enqueueMany(Array.from({ length: 30 }, (_, n) => ({ n })));
    const jobs = await queue.dequeueMany(30);
    await queue.completeMany(jobs.slice(0, 25));
    for (const job of jobs.slice(25)) await queue.fail(job, new Error('x'), { dead: true });
    await db.pgq.query(
      `update ${db.pgq.table('job_archive')} set finished_at = now() - interval '2 minutes'
        where queue = $1`,
      [queue.name],
    );
    expect(await queue.cleanArchive({ limit: 10 })).toBe(10);
    expect(await queue.cleanArchive({ limit: 10 })).toBe(10);
    expect(await queue.cleanArchive({ limit: 10 })).toBe(5);
    expect(await queue.cleanArchive()).toBe(0);
    expect(await queue.stats()).toMatchObject({ completed: 0, dead: 5 });
  });
});
