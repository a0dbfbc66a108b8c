import {
  connect,
  InvalidNameError,
  type Logger,
  NotInstalledError,
  PayloadTooLargeError,
  PgqError,
  ValidationError,
} from '@pgq/core';
import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Message, PubSub } from '../src/index.js';
import { recordingExecutor, schemaOf, take, userSignup } from './support.js';

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

describe('PubSub', () => {
  it('delivers JSON values and strings, a string staying a string', async () => {
    const bus = new PubSub(db.connect());
    const pull = await bus.subscribe('basic.values');
    const payloads = [
      { a: 1, b: [true, null] },
      'hello',
      '{"a":1}',
      42,
      null,
      [1, 'two'],
      '',
      'ünï 😀',
    ];
    for (const payload of payloads) await publisher.publish('basic.values', payload);
    const messages = await take(pull, payloads.length);
    expect(messages.map((message) => message.payload)).toEqual(payloads);
    expect(typeof messages[2]?.payload).toBe('string');
    expect(messages.every((message) => message.channel === 'basic.values')).toBe(true);
    expect(new Set(messages.map((message) => message.id)).size).toBe(payloads.length);
    await bus.close();
  });

  it('delivers two equal messages sent together as two', async () => {
    const bus = new PubSub(db.connect());
    const pull = await bus.subscribe('basic.twice');
    await Promise.all([
      publisher.publish('basic.twice', { same: true }),
      publisher.publish('basic.twice', { same: true }),
    ]);
    expect(await take(pull, 2)).toHaveLength(2);
    await bus.close();
  });

  it('works on names long enough that their NOTIFY channel is hashed', async () => {
    const pgq = db.connect();
    const bus = new PubSub(pgq);
    const segment = 'l'.repeat(40);
    const channel = `${segment}.${'m'.repeat(22)}`;
    const exact = await bus.subscribe(channel);
    const wildcard = await bus.subscribe(`${segment}.*`);
    expect(pgq.listener.channels.every((name) => /^pgq_[0-9a-f]{40}$/.test(name))).toBe(true);
    await publisher.publish(channel, 'long');
    expect((await take(exact, 1))[0]).toMatchObject({ channel, payload: 'long' });
    expect((await take(wildcard, 1))[0]).toMatchObject({ channel, payload: 'long' });
    await bus.close();
  });

  it('returns null from next() after timeoutMs, and after unsubscribe', async () => {
    const bus = new PubSub(db.connect());
    const pull = await bus.subscribe('basic.quiet');
    const started = Date.now();
    expect(await pull.next({ timeoutMs: 50 })).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    const waiting = pull.next();
    await pull.unsubscribe();
    expect(await waiting).toBeNull();
    expect(pull.closed).toBe(true);
    await bus.close();
  });

  it('iterates with for await, and leaving the loop unsubscribes', async () => {
    const pgq = db.connect();
    const bus = new PubSub(pgq);
    const pull = await bus.subscribe<number>('basic.iterate');
    for (let index = 0; index < 3; index++) await publisher.publish('basic.iterate', index);
    const seen: number[] = [];
    for await (const message of pull) {
      seen.push(message.payload);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual([0, 1, 2]);
    expect(pull.closed).toBe(true);
    expect(pgq.listener.channels).toEqual([]);
    await bus.close();
  });

  it('shares one LISTEN per channel across subscriptions, on the one listener connection', async () => {
    const pgq = db.connect();
    const bus = new PubSub(pgq);
    const first: unknown[] = [];
    const a = await bus.subscribe('basic.shared', (message) => {
      first.push(message.payload);
    });
    const b = await bus.subscribe('basic.shared');
    const c = await bus.subscribe('basic.other');
    expect(pgq.listener.channels).toHaveLength(2);
    const rows = await db.pgq.query<{ channels: number }>(
      `select count(*)::int as channels from pg_stat_activity where pid = $1`,
      [pgq.listener.backendPid],
    );
    expect(rows[0]?.channels).toBe(1);
    await publisher.publish('basic.shared', 'x');
    expect((await take(b, 1))[0]?.payload).toBe('x');
    expect(first).toEqual(['x']);
    await a.unsubscribe();
    expect(pgq.listener.channels).toHaveLength(2);
    await b.unsubscribe();
    await c.unsubscribe();
    expect(pgq.listener.channels).toEqual([]);
    await bus.close();
  });

  it('stops delivering after unsubscribe', async () => {
    const bus = new PubSub(db.connect());
    const seen: unknown[] = [];
    const sub = await bus.subscribe('basic.stop', (message) => {
      seen.push(message.payload);
    });
    const sentinel = await bus.subscribe('basic.stop_sentinel');
    await publisher.publish('basic.stop', 1);
    await publisher.publish('basic.stop_sentinel', 'a');
    await take(sentinel, 1);
    await sub.unsubscribe();
    await publisher.publish('basic.stop', 2);
    await publisher.publish('basic.stop_sentinel', 'b');
    await take(sentinel, 1);
    expect(seen).toEqual([1]);
    await bus.close();
  });

  it('refuses bad channel names with InvalidNameError and sends nothing', async () => {
    const tx = recordingExecutor();
    for (const name of ['bad"quote', 'has space', 'x'.repeat(200), '', 'events..x', 'events.*']) {
      await expect(publisher.publish(name, { a: 1 }, { tx })).rejects.toBeInstanceOf(
        InvalidNameError,
      );
      await expect(publisher.subscribe(name === 'events.*' ? '*.x' : name)).rejects.toBeInstanceOf(
        InvalidNameError,
      );
    }
    await expect(publisher.publish(42 as unknown as string, 1, { tx })).rejects.toBeInstanceOf(
      InvalidNameError,
    );
    expect(tx.statements).toEqual([]);
  });

  it('refuses payloads that are not JSON, or too large, before sending anything', async () => {
    const tx = recordingExecutor();
    const small = new PubSub(db.pgq, { maxPayloadBytes: 100 });
    await expect(small.publish('basic.size', 'é'.repeat(51), { tx })).rejects.toMatchObject({
      code: PayloadTooLargeError.code,
      size: 102,
      limit: 100,
    });
    await expect(
      small.publish('basic.size', { big: 'x'.repeat(100) }, { tx }),
    ).rejects.toBeInstanceOf(PayloadTooLargeError);
    await expect(publisher.publish('basic.json', undefined, { tx })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(publisher.publish('basic.json', { n: 1n }, { tx })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(publisher.publish('basic.json', 'nul\u0000', { tx })).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(tx.statements).toEqual([]);
    await small.close();
  });

  it('validates a contract at publish (nothing sent) and at receipt (skipped, reported)', async () => {
    const tx = recordingExecutor();
    await expect(
      publisher.publish(userSignup, { userId: 'nope' } as unknown as { userId: number }, { tx }),
    ).rejects.toThrow(ValidationError);
    expect(tx.statements).toEqual([]);

    const bus = new PubSub(db.connect());
    const typed = await bus.subscribe(userSignup);
    const errors: Array<[Error, Message | undefined]> = [];
    typed.on('error', (error, message) => errors.push([error, message]));
    // Another program (here: an untyped publisher) sends a bad message on the channel.
    await publisher.publish('events.user_signup', { userId: 'nope' });
    await publisher.publish(userSignup, { userId: 42 });
    const [message] = await take(typed, 1);
    const userId: number | undefined = message?.payload.userId;
    expect(userId).toBe(42);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.[0]).toBeInstanceOf(ValidationError);
    expect(errors[0]?.[1]?.payload).toEqual({ userId: 'nope' });
    await bus.close();
  });

  it('sends in call order even when a contract validates asynchronously', async () => {
    const slow = {
      name: 'basic.order',
      schema: schemaOf(
        (value): value is number => typeof value === 'number',
        'must be a number',
        (index) => (Number(index) % 2) * 5,
      ),
    };
    const bus = new PubSub(db.connect());
    const pull = await bus.subscribe<number>('basic.order');
    const sends = Array.from({ length: 20 }, (_, index) =>
      index % 3 === 0 ? publisher.publish('basic.order', index) : publisher.publish(slow, index),
    );
    // A failed validation gives its place up without holding back the rest.
    await expect(publisher.publish(slow, 'no' as unknown as number)).rejects.toThrow(
      ValidationError,
    );
    await Promise.all(sends);
    await publisher.publish('basic.order', 20);
    expect((await take(pull, 21)).map((message) => message.payload)).toEqual(
      Array.from({ length: 21 }, (_, index) => index),
    );
    await bus.close();
  });

  it('reports a throwing or rejecting handler and keeps the subscription alive', async () => {
    const bus = new PubSub(db.connect());
    const handled: number[] = [];
    let finished = () => {};
    const allHandled = new Promise<void>((resolve) => {
      finished = resolve;
    });
    const sub = await bus.subscribe<number>('basic.throws', async (message) => {
      if (message.payload === 1) throw new Error('thrown');
      if (message.payload === 2) await Promise.reject(new Error('rejected'));
      handled.push(message.payload);
      if (message.payload === 4) finished();
    });
    const errors: string[] = [];
    sub.on('error', (error, message) => {
      errors.push(`${error.message}@${String(message?.payload)}`);
    });
    for (const value of [1, 2, 3, 4]) await publisher.publish('basic.throws', value);
    await allHandled;
    expect(errors).toEqual(['thrown@1', 'rejected@2']);
    expect(handled).toEqual([3, 4]);
    expect(sub.closed).toBe(false);
    await bus.close();
  });

  it('sends errors to the PubSub, then to the logger, when nobody listens closer', async () => {
    const logged: string[] = [];
    const logger: Logger = {
      debug() {},
      info() {},
      warn() {},
      error: (message, meta) => logged.push(`${message}: ${String(meta?.error)}`),
    };
    const bus = new PubSub(db.connect({ logger }));
    const busErrors: Error[] = [];
    const sub = await bus.subscribe('basic.report', () => {
      throw new Error('to the bus');
    });
    const reported = new Promise<void>((resolve) =>
      bus.once('error', (error) => {
        busErrors.push(error);
        resolve();
      }),
    );
    await publisher.publish('basic.report', 1);
    await reported;
    expect(busErrors.map((error) => error.message)).toEqual(['to the bus']);

    const sentinel = await bus.subscribe('basic.report');
    await publisher.publish('basic.report', 2);
    await take(sentinel, 1);
    expect(logged).toEqual(['pgq pubsub error: to the bus']);
    expect(sub.closed).toBe(false);
    await bus.close();
  });

  it('bounds a pull buffer: drops past highWaterMark, signals overflow, carries on', async () => {
    const bus = new PubSub(db.connect());
    const pull = await bus.subscribe<number>('basic.flood', { highWaterMark: 5 });
    const overflowed = new Promise<{ dropped: number; highWaterMark: number }>((resolve) =>
      pull.once('overflow', resolve),
    );
    const sentinel = await bus.subscribe('basic.flood');
    await Promise.all(
      Array.from({ length: 20 }, (_, index) => publisher.publish('basic.flood', index)),
    );
    await take(sentinel, 20);
    expect(await overflowed).toEqual({ dropped: 1, highWaterMark: 5 });
    expect(pull.dropped).toBe(15);
    expect(pull.buffered).toBe(5);
    expect((await take(pull, 5)).map((message) => message.payload)).toEqual([0, 1, 2, 3, 4]);
    await publisher.publish('basic.flood', 99);
    expect((await take(pull, 1))[0]?.payload).toBe(99);
    await bus.close();
  });

  it('bounds a push buffer behind a slow handler', async () => {
    const bus = new PubSub(db.connect(), { highWaterMark: 3 });
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const handled: number[] = [];
    let finished = () => {};
    const allHandled = new Promise<void>((resolve) => {
      finished = resolve;
    });
    const sub = await bus.subscribe<number>('basic.slow', async (message) => {
      await gate;
      handled.push(message.payload);
      if (message.payload === 10) finished();
    });
    const overflows: unknown[] = [];
    sub.on('overflow', (info) => overflows.push(info));
    // Routed in the same pass as `sub`: once it has all ten, so has `sub` (or dropped them).
    const sentinel = await bus.subscribe('basic.slow', { highWaterMark: 100 });
    for (let index = 0; index < 10; index++) await publisher.publish('basic.slow', index);
    await take(sentinel, 10);
    expect(sub.dropped).toBe(6);
    expect(overflows).toEqual([{ dropped: 1, highWaterMark: 3 }]);
    release();
    await publisher.publish('basic.slow', 10);
    await allHandled;
    // One in the handler, three buffered, the rest dropped; then 10 after the flood.
    expect(handled).toEqual([0, 1, 2, 3, 10]);
    await bus.close();
  });

  it('next() is for pull subscriptions only', async () => {
    const bus = new PubSub(db.connect());
    const sub = await bus.subscribe('basic.push', () => {});
    await expect(sub.next()).rejects.toMatchObject({ code: 'PGQ_PUSH_SUBSCRIPTION' });
    await bus.close();
  });

  it('says pgq is not installed when the schema is missing', async () => {
    const missing = connect({ connectionString: db.url, schema: `${db.schema}_missing` });
    const bus = new PubSub(missing);
    try {
      await expect(bus.publish('basic.missing', 'small')).rejects.toBeInstanceOf(NotInstalledError);
      await expect(bus.publish('basic.missing', 'L'.repeat(10_000))).rejects.toBeInstanceOf(
        NotInstalledError,
      );
    } finally {
      await bus.close();
      await missing.close();
    }
  });

  it('close() ends every subscription and refuses further use', async () => {
    const pgq = db.connect();
    const bus = new PubSub(pgq);
    const pull = await bus.subscribe('basic.close');
    await bus.subscribe('basic.close.*', () => {});
    await bus.close();
    expect(pull.closed).toBe(true);
    expect(pgq.listener.channels).toEqual([]);
    expect(pgq.listener.listenerCount('reconnected')).toBe(0);
    await expect(bus.publish('basic.close', 1)).rejects.toSatisfy((error) =>
      PgqError.hasCode(error, 'PGQ_CLOSED'),
    );
    await expect(bus.subscribe('basic.close')).rejects.toMatchObject({ code: 'PGQ_CLOSED' });
    await bus.close();
  });
});
