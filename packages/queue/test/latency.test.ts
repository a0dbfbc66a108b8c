import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Queue, Worker } from '../src/index.js';
import { quantile } from './helpers.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db.dispose();
});

it('an idle worker picks a new job up at once through LISTEN/NOTIFY (200 samples)', async () => {
  const queue = new Queue<{ sample: number }>(db.pgq, 'pickup');
  await queue.create();
  let started: (at: number) => void = () => {};
  // A 60 s poll: every pickup below is a LISTEN/NOTIFY wake-up, not a poll.
  const worker = new Worker(db.pgq, queue, async () => started(performance.now()), {
    concurrency: 1,
    pollIntervalMs: 60_000,
  });
  await worker.start();
  try {
    const samples: number[] = [];
    for (let sample = 0; sample < 200; sample++) {
      const handlerStarted = new Promise<number>((resolve) => (started = resolve));
      const enqueuedAt = performance.now();
      const { id } = await queue.enqueue({ sample });
      samples.push((await handlerStarted) - enqueuedAt);
      await queue.waitFor(id); // the worker is idle again before the next sample
    }
    const p50 = quantile(samples, 0.5);
    const p99 = quantile(samples, 0.99);
    console.log(
      `pickup latency, enqueue -> handler start (200 samples): p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms`,
    );
    // A benchmark figure, not a timing contract: only a generous sanity bound is asserted.
    expect(p50).toBeLessThan(50);
  } finally {
    await worker.stop();
  }
});
