import { getEventListeners } from 'node:events';
import { ClosedError, ValidationError } from '@pgq/core';
import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PubSub, type Subscription } from '../src/index.js';

let db: TestDatabase;
let publisher: PubSub;

beforeAll(async () => {
  db = await createTestDatabase();
  publisher = new PubSub(db.pgq);
});
afterAll(async () => {
  await publisher.close();
  await db.dispose();
});

async function buffered(pull: Subscription, count: number): Promise<void> {
  await expect.poll(() => pull.buffered).toBe(count);
}

describe('next({ signal })', () => {
  it("rejects with the signal's reason and loses no message", async () => {
    await using bus = new PubSub(db.connect());
    await using pull = await bus.subscribe('abort.waiting');
    const controller = new AbortController();
    const waiting = pull.next({ signal: controller.signal });
    const reason = new Error('gave up');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    await publisher.publish('abort.waiting', 'after the abort');
    expect((await pull.next({ timeoutMs: 5_000 }))?.payload).toBe('after the abort');
  });

  it('a call queued behind another rejects at once; the others keep their order', async () => {
    await using bus = new PubSub(db.connect());
    await using pull = await bus.subscribe('abort.queued');
    const first = pull.next({ timeoutMs: 10_000 });
    const controller = new AbortController();
    const second = pull.next({ signal: controller.signal });
    const third = pull.next({ timeoutMs: 10_000 });
    controller.abort(new Error('not this one'));
    await expect(second).rejects.toThrow('not this one');
    await publisher.publish('abort.queued', 1);
    await publisher.publish('abort.queued', 2);
    expect([(await first)?.payload, (await third)?.payload]).toEqual([1, 2]);
  });

  it('with a signal aborted already, rejects at once and takes no buffered message', async () => {
    await using bus = new PubSub(db.connect());
    await using pull = await bus.subscribe('abort.before');
    await publisher.publish('abort.before', 'kept');
    await buffered(pull, 1);
    const reason = new Error('too late');
    await expect(pull.next({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(pull.buffered).toBe(1);
    expect((await pull.next())?.payload).toBe('kept');
  });

  it('removes its abort listener when a message comes, and refuses a non-signal', async () => {
    await using bus = new PubSub(db.connect());
    await using pull = await bus.subscribe('abort.unused');
    const controller = new AbortController();
    const waiting = pull.next({ signal: controller.signal });
    await publisher.publish('abort.unused', 'hello');
    expect((await waiting)?.payload).toBe('hello');
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    await expect(pull.next({ signal: 'nope' as unknown as AbortSignal })).rejects.toThrow(
      ValidationError,
    );
  });
});

describe('await using', () => {
  it('closes a PubSub as the block exits: its channels are UNLISTENed', async () => {
    const pgq = db.connect();
    let closed: PubSub | undefined;
    {
      await using bus = new PubSub(pgq);
      closed = bus;
      await bus.subscribe('dispose.bus', () => {});
      await bus.subscribe('dispose.bus.>');
      expect(pgq.listener.channels).toHaveLength(2);
    }
    expect(pgq.listener.channels).toEqual([]);
    await expect(closed.publish('dispose.bus', 1)).rejects.toThrow(ClosedError);
  });

  it('unsubscribes a subscription as the block exits', async () => {
    const pgq = db.connect();
    await using bus = new PubSub(pgq);
    let ended: Subscription | undefined;
    {
      await using pull = await bus.subscribe('dispose.subscription');
      ended = pull;
      expect(pgq.listener.channels).toHaveLength(1);
    }
    expect(ended.closed).toBe(true);
    expect(pgq.listener.channels).toEqual([]);
  });
});
