import { RemoteError, TimeoutError } from '@pgq/core';
import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobCancelledError, JobNotFoundError, Queue } from '../src/index.js';
import { watching } from '../src/test-signals.js';
import { quantile } from './helpers.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db.dispose();
});

async function freshQueue(name: string, maxAttempts = 3): Promise<Queue<{ n: number }, string>> {
  const queue = new Queue<{ n: number }, string>(db.pgq, name);
  await queue.create({ maxAttempts });
  return queue;
}

describe('waitFor', () => {
  it('resolves with the result within 50 ms of completion (LISTEN/NOTIFY, no polling)', async () => {
    const queue = await freshQueue('wait_latency');
    const samples: number[] = [];
    for (let sample = 0; sample < 20; sample++) {
      const { id } = await queue.enqueue({ n: sample });
      const job = (await queue.dequeue())!;
      let resolvedAt = 0;
      const flagged = watching(queue.name, [id]);
      const waiting = queue.waitFor(id, { timeoutMs: 5_000 }).then((result) => {
        resolvedAt = performance.now();
        return result;
      });
      // The waiter LISTENs and flags the job before it completes.
      await flagged;
      await queue.complete(job, { result: `result ${sample}` });
      const completedAt = performance.now();
      expect(await waiting).toBe(`result ${sample}`);
      // The notification can beat complete()'s own reply: that counts as no delay.
      samples.push(Math.max(0, resolvedAt - completedAt));
    }
    const p50 = quantile(samples, 0.5);
    console.log(
      `waitFor after completion: p50 ${p50.toFixed(1)} ms, max ${Math.max(...samples).toFixed(1)} ms`,
    );
    expect(p50).toBeLessThan(50);
    expect(db.pgq.listener.channels).toEqual([]); // the last waiter stopped listening
  });

  it('resolves at once for a job that already completed, and many waiters share one job', async () => {
    const queue = await freshQueue('wait_done');
    const { id } = await queue.enqueue({ n: 1 });
    await queue.complete((await queue.dequeue())!, { result: 'early' });
    expect(await queue.waitFor(id)).toBe('early');

    const second = await queue.enqueue({ n: 2 });
    // Six waiters, each flagging (or finding flagged) the row: a claim meanwhile skips it.
    const flagged = watching(queue.name, Array(6).fill(second.id));
    const waiters = Array.from({ length: 5 }, () => queue.waitFor(second.id, { timeoutMs: 5_000 }));
    const other = new Queue<{ n: number }, string>(db.connect(), queue.name);
    const fromElsewhere = other.waitFor(second.id, { timeoutMs: 5_000 });
    await flagged;
    await queue.complete((await queue.dequeue())!, { result: 'shared' });
    expect(await Promise.all([...waiters, fromElsewhere])).toEqual(Array(6).fill('shared'));
  });

  it('rejects with the final error when the job is dead, cancelled, purged or missing', async () => {
    const queue = await freshQueue('wait_errors', 1);
    const [dead, cancelled, purged] = await queue.enqueueMany([{ n: 1 }, { n: 2 }, { n: 3 }]);
    const flagged = watching(queue.name, [dead!.id, cancelled!.id, purged!.id]);
    const [deadWait, cancelledWait, purgedWait] = [dead, cancelled, purged].map((job) =>
      queue.waitFor(job!.id).then(
        () => undefined,
        (error: unknown) => error,
      ),
    );
    await flagged;
    const job = (await queue.dequeue())!;
    await queue.fail(job, Object.assign(new Error('smtp refused'), { code: 'E_SMTP' }));
    await queue.cancel(cancelled!.id);
    await queue.purge();
    const deadError = await deadWait;
    expect(deadError).toBeInstanceOf(RemoteError);
    expect(deadError).toMatchObject({ message: 'smtp refused', remoteCode: 'E_SMTP' });
    expect(await cancelledWait).toBeInstanceOf(JobCancelledError);
    expect(await purgedWait).toBeInstanceOf(JobNotFoundError);
    await expect(queue.waitFor('123456789')).rejects.toBeInstanceOf(JobNotFoundError);
  });

  it('rejects with TimeoutError past timeoutMs', async () => {
    const queue = await freshQueue('wait_timeout');
    const { id } = await queue.enqueue({ n: 1 });
    await expect(queue.waitFor(id, { timeoutMs: 50 })).rejects.toBeInstanceOf(TimeoutError);
  });

  it('catches up after the listener reconnects: a completion missed meanwhile still resolves', async () => {
    const pgq = db.connect({ listenerHealthCheckIntervalMs: 60_000 });
    const queue = new Queue<{ n: number }, string>(pgq, 'wait_reconnect');
    await queue.create();
    const { id } = await queue.enqueue({ n: 1 });
    const flagged = watching(queue.name, [id]);
    const waiting = queue.waitFor(id, { timeoutMs: 10_000 });
    await flagged;
    const reconnected = new Promise<void>((resolve) =>
      pgq.listener.once('reconnected', () => resolve()),
    );
    // Kill the listener's connection, then complete the job while it is down.
    await db.pgq.query('select pg_terminate_backend($1)', [pgq.listener.backendPid]);
    const producer = new Queue<{ n: number }, string>(db.pgq, queue.name);
    await producer.complete((await producer.dequeue())!, { result: 'while down' });
    await reconnected;
    expect(await waiting).toBe('while down');
  });
});
