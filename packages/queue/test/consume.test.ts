import { LeaseLostError, ValidationError } from '@pgq/core';
import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue, UniqueKeyConflictError } from '../src/index.js';
import { countRows } from './helpers.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
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
    const claimers = Array.from({ length: 4 }, () => new Queue(db.connect({ max: 3 }), queue.name));
    const claimed: string[] = [];
    await Promise.all(
      claimers.map(async (claimer) => {
        for (;;) {
          const jobs = await claimer.dequeueMany(7);
          if (jobs.length === 0) return;
          claimed.push(...jobs.map((job) => job.id));
        }
      }),
    );
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

describe('completedRetentionSeconds: 0', () => {
  it('keeps no completed job, except one a waiter waits on', async () => {
    const queue = await freshQueue<{ n: number }>('no_retention', { completedRetentionSeconds: 0 });
    const [plain, waited] = await queue.enqueueMany([{ n: 1 }, { n: 2 }]);
    const result = queue.waitFor(waited!.id, { timeoutMs: 5_000 });
    await new Promise((resolve) => setTimeout(resolve, 50));
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
      completedRetentionSeconds: 60,
      deadRetentionSeconds: 3_600,
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
