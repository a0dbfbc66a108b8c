import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue, Worker } from '../src/index.js';
import { eventually } from './helpers.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db.dispose();
});

async function freshQueue(name: string, leaseMs = 30_000): Promise<Queue<{ n: number }>> {
  const queue = new Queue<{ n: number }>(db.pgq, name);
  await queue.create({ leaseMs });
  return queue;
}

/** A handler that holds every job until `release()`; counts how many run at once. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  const state = { running: 0, most: 0, ran: [] as number[] };
  return {
    state,
    release: open,
    handler: async (job: { payload: { n: number } }) => {
      state.running++;
      state.most = Math.max(state.most, state.running);
      state.ran.push(job.payload.n);
      await opened;
      state.running--;
    },
  };
}

describe('Worker prefetch', () => {
  it('claims ahead of its slots yet runs at most `concurrency` handlers at once, in order', async () => {
    const queue = await freshQueue('prefetch_order');
    await queue.enqueueMany(Array.from({ length: 30 }, (_, n) => ({ n })));
    const { state, release, handler } = gate();
    const worker = new Worker(db.pgq, queue, handler, { concurrency: 3, prefetch: 7 });
    await worker.start();
    try {
      await eventually(async () => (await queue.stats()).active === 10);
      expect(state.running).toBe(3);
      expect(worker.runningCount).toBe(3);
      release();
      await eventually(async () => (await queue.stats()).completed === 30);
      expect(state.most).toBe(3);
      expect(state.ran).toEqual(Array.from({ length: 30 }, (_, n) => n));
    } finally {
      await worker.stop();
    }
  });

  it('hands prefetched jobs back on stop, their attempt not counted', async () => {
    const queue = await freshQueue('prefetch_stop');
    await queue.enqueueMany(Array.from({ length: 10 }, (_, n) => ({ n })));
    const { state, release, handler } = gate();
    const worker = new Worker(db.pgq, queue, handler, { concurrency: 2, prefetch: 5 });
    await worker.start();
    await eventually(async () => (await queue.stats()).active === 7);
    const stopping = worker.stop({ timeoutMs: 5_000 });
    release();
    await stopping;
    expect(state.ran).toEqual([0, 1]);
    expect(await queue.stats()).toMatchObject({ pending: 8, active: 0, completed: 2 });
    const waiting = await queue.list({ state: 'pending' });
    expect(waiting.map((job) => job.attempts)).toEqual(Array(8).fill(0));
    // They kept their place in line: the next worker takes them in the original order.
    const next = await queue.dequeueMany(8);
    expect(next.map((job) => job.payload.n)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('renews the leases of jobs waiting for a slot, so none is rescued while it waits', async () => {
    const queue = await freshQueue('prefetch_lease', 400);
    await queue.enqueueMany(Array.from({ length: 4 }, (_, n) => ({ n })));
    const attempts: number[] = [];
    const worker = new Worker(
      db.pgq,
      queue,
      async (job) => {
        attempts.push(job.attempts);
        // Each job outlasts the lease, so the ones waiting behind it wait several leases.
        await new Promise((resolve) => setTimeout(resolve, 500));
      },
      { concurrency: 1, prefetch: 3, rescueIntervalMs: 100 },
    );
    await worker.start();
    try {
      await eventually(async () => (await queue.stats()).completed === 4, 15_000);
      expect(attempts).toEqual([1, 1, 1, 1]);
    } finally {
      await worker.stop();
    }
  });
});
