import { PgqError, ValidationError } from '@pgq/core';
import { type Job, Queue, Worker } from '@pgq/queue';
import { describe, expect, it } from 'vitest';
import { check, formatCheck, recordAcknowledged, recordStart } from '../src/checker.js';
import { useTestDatabase } from '../src/suite.js';
import { waitUntil } from '../src/wait.js';

// Issue 12, test 2 for the by-hand API: two consumers share one `Queue` (as a process running
// several dequeue loops does). Consumer A's lease expires and a worker's sweep rescues the job;
// consumer B dequeues it again. A, finishing late, completes by id, as the README allows for
// a job this `Queue` dequeued. Fencing says A must be refused and B keep the job: the
// `Queue` claimed the job twice, so a bare id cannot say which claim acts (ValidationError).
const db = useTestDatabase({ ledger: true });

/** The outcome of `complete`: 'accepted', or the error code it threw. */
async function completeOutcome(attempt: () => Promise<void>): Promise<string> {
  try {
    await attempt();
    return 'accepted';
  } catch (error) {
    if (PgqError.isInstance(error)) return error.code;
    throw error;
  }
}

describe('by-hand fencing', () => {
  it('a stale consumer completing by id is refused; the current holder keeps the job', async () => {
    const queue = new Queue<{ n: number }>(db.pgq, 'by_hand');
    await queue.create({ maxAttempts: 5 });
    const { id } = await queue.enqueue({ n: 1 });
    const a = (await queue.dequeue({ leaseMs: 300 })) as Job;
    await recordStart(db.pgq, a, { workerId: 'consumer-a' });

    // A worker elsewhere, busy with one long job (so it claims nothing else), sweeping every
    // 50 ms: it rescues the job once A's lease runs out.
    const blocker = await queue.enqueue({ n: 2 }, { priority: 10 });
    let release = () => {};
    const busy = new Promise<void>((resolve) => {
      release = resolve;
    });
    const sweeper = new Worker(db.connect(), 'by_hand', () => busy, {
      concurrency: 1,
      rescueIntervalMs: 50,
    });
    await sweeper.start();
    let late: string;
    let current: string;
    try {
      // start() does not wait for the first claim: until the worker holds the blocker, B's
      // dequeue could take the blocker (it outranks the job) instead.
      await waitUntil(async () => (await queue.get(blocker.id))?.state === 'active', {
        timeoutMs: 10_000,
        message: 'blocker not claimed',
      });
      await waitUntil(async () => (await queue.get(id))?.state === 'pending', {
        timeoutMs: 10_000,
        message: 'job not rescued',
      });
      const b = (await queue.dequeue({ leaseMs: 30_000 })) as Job;
      expect(b.id).toBe(id);
      await recordStart(db.pgq, b, { workerId: 'consumer-b' });

      late = await completeOutcome(() => queue.complete(a.id));
      if (late === 'accepted') await recordAcknowledged(db.pgq, a);
      current = await completeOutcome(() => queue.complete(b));
      if (current === 'accepted') await recordAcknowledged(db.pgq, b);
    } finally {
      release();
      await sweeper.stop();
    }
    const result = await check(db.pgq, { queue: 'by_hand', acknowledged: [id, blocker.id] });
    console.log(formatCheck('by-hand fencing', result, { late, current }));
    expect({ late, current }).toEqual({ late: ValidationError.code, current: 'accepted' });
    expect(result).toMatchObject({ lost: 0, staleCompletionsAccepted: 0, unexpected: 0 });
  }, 30_000);
});
