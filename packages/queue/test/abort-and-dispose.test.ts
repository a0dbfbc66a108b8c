import { getEventListeners } from 'node:events';
import { ValidationError } from '@pgq/core';
import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue, Scheduler, Worker } from '../src/index.js';
import { watching } from '../src/test-signals.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db.dispose();
});

async function freshQueue(name: string): Promise<Queue<{ n: number }, string>> {
  const queue = new Queue<{ n: number }, string>(db.pgq, name);
  await queue.create();
  return queue;
}

async function jobRow(queue: Queue<any, any>, id: string) {
  const [row] = await db.pgq.query<{ state: string; attempts: number; notify_on_finish: boolean }>(
    `select state, attempts, notify_on_finish from ${db.pgq.table('jobs')} where queue = $1 and id = $2`,
    [queue.name, id],
  );
  return row;
}

describe('waitFor({ signal })', () => {
  it("rejects with the signal's reason, stops listening and leaves the job alone", async () => {
    const queue = await freshQueue('abort_wait');
    const { id } = await queue.enqueue({ n: 1 });
    const controller = new AbortController();
    const flagged = watching(queue.name, [id]);
    const waiting = queue.waitFor(id, { timeoutMs: 60_000, signal: controller.signal });
    await flagged;
    expect(db.pgq.listener.channels).toHaveLength(1);
    const reason = new Error('the caller went away');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    await expect.poll(() => db.pgq.listener.channels).toEqual([]);
    // The job carries on: it completes, and a new wait reads its result.
    await queue.complete((await queue.dequeue())!, { result: 'done anyway' });
    expect(await queue.waitFor(id, { timeoutMs: 5_000 })).toBe('done anyway');
  });

  it('rejects at once for a signal aborted already: nothing listened to or flagged', async () => {
    const queue = await freshQueue('abort_before');
    const { id } = await queue.enqueue({ n: 1 });
    const reason = new Error('too late');
    await expect(queue.waitFor(id, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(db.pgq.listener.channels).toEqual([]);
    expect((await jobRow(queue, id))?.notify_on_finish).toBe(false);
  });

  it('removes its abort listener when the wait ends otherwise', async () => {
    const queue = await freshQueue('abort_unused');
    const controller = new AbortController();
    const { id } = await queue.enqueue({ n: 1 });
    const flagged = watching(queue.name, [id]);
    const waiting = queue.waitFor(id, { signal: controller.signal });
    await flagged;
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    await queue.complete((await queue.dequeue())!, { result: 'ok' });
    expect(await waiting).toBe('ok');
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    // A timeout ends it too.
    const { id: second } = await queue.enqueue({ n: 2 });
    await expect(
      queue.waitFor(second, { timeoutMs: 50, signal: controller.signal }),
    ).rejects.toThrow('waitFor');
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('refuses a signal that is not an AbortSignal', async () => {
    const queue = await freshQueue('abort_bad');
    const { id } = await queue.enqueue({ n: 1 });
    await expect(
      queue.waitFor(id, { signal: { aborted: false } as unknown as AbortSignal }),
    ).rejects.toThrow(ValidationError);
  });
});

describe('Worker.stop({ signal })', () => {
  it('aborting hands running jobs back now, as the timeout would, and still stops', async () => {
    const queue = await freshQueue('abort_stop');
    let handlerReason: unknown;
    const worker = new Worker(db.pgq, queue, async (_job, ctx) => {
      await new Promise<void>((resolve) =>
        ctx.signal.addEventListener('abort', () => {
          handlerReason = ctx.signal.reason;
          resolve();
        }),
      );
      return 'ignored';
    });
    await worker.start();
    const { id } = await queue.enqueue({ n: 1 });
    await expect.poll(() => worker.runningCount).toBe(1);
    const controller = new AbortController();
    const stopped = worker.stop({ timeoutMs: 600_000, signal: controller.signal });
    const reason = new Error('second SIGINT');
    controller.abort(reason);
    await stopped;
    expect(worker.state).toBe('stopped');
    expect(handlerReason).toBe(reason);
    expect(await jobRow(queue, id)).toEqual({
      state: 'pending',
      attempts: 0,
      notify_on_finish: false,
    });
  });

  it('with a signal aborted already, waits for no handler', async () => {
    const queue = await freshQueue('abort_stop_before');
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const worker = new Worker(db.pgq, queue, async () => gate.then(() => 'late'));
    await worker.start();
    const { id } = await queue.enqueue({ n: 1 });
    await expect.poll(() => worker.runningCount).toBe(1);
    await worker.stop({ timeoutMs: 600_000, signal: AbortSignal.abort() });
    release();
    expect(worker.state).toBe('stopped');
    expect((await jobRow(queue, id))?.state).toBe('pending');
  });
});

describe('await using', () => {
  it('stops a Worker as the block exits: state stopped, gone from the registry, LISTEN ended', async () => {
    const queue = await freshQueue('dispose_worker');
    let worker: Worker<{ n: number }, string> | undefined;
    {
      await using running = new Worker(db.pgq, queue, async (job) => `ran ${job.payload.n}`);
      worker = running;
      await running.start();
      const { id } = await queue.enqueue({ n: 1 });
      expect(await queue.waitFor(id, { timeoutMs: 5_000 })).toBe('ran 1');
      expect(await db.pgq.db.selectFrom('workers').select('id').execute()).toHaveLength(1);
    }
    expect(worker.state).toBe('stopped');
    expect(await db.pgq.db.selectFrom('workers').select('id').execute()).toEqual([]);
    expect(db.pgq.listener.channels).toEqual([]);
  });

  it('stops a Scheduler as the block exits', async () => {
    let scheduler: Scheduler | undefined;
    {
      await using running = new Scheduler(db.pgq);
      scheduler = running;
      await running.start();
      expect(running.state).toBe('running');
    }
    expect(scheduler.state).toBe('stopped');
  });
});
