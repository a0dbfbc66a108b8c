import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PubSub } from '../src/index.js';
import { take } from './support.js';

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

// Every publish below ends with one to `done.x`, which all these subscriptions' PubSub
// also hears: once it arrives, everything sent before it has been routed.
async function channelsSeen(patterns: string[], channels: string[]): Promise<string[][]> {
  const bus = new PubSub(db.connect());
  const subscriptions = await Promise.all(patterns.map((pattern) => bus.subscribe(pattern)));
  const done = await bus.subscribe('done.x');
  for (const channel of channels) await publisher.publish(channel, channel);
  await publisher.publish('done.x', 'done');
  await take(done, 1);
  const result: string[][] = [];
  for (const subscription of subscriptions) {
    const count = subscription.buffered;
    result.push((await take(subscription, count)).map((message) => message.channel));
  }
  await bus.close();
  return result;
}

describe('wildcard subscriptions', () => {
  const channels = [
    'events',
    'events.user_signup',
    'events.user.created',
    'events.order.created',
    'events.user.created.late',
    'eventsx.user',
    'other.user_signup',
  ];

  it('matches * as exactly one segment and > as one or more', async () => {
    const [star, tail, middle, deep] = await channelsSeen(
      ['events.*', 'events.>', 'events.*.created', 'events.user.>'],
      channels,
    );
    expect(star).toEqual(['events.user_signup']);
    expect(tail).toEqual([
      'events.user_signup',
      'events.user.created',
      'events.order.created',
      'events.user.created.late',
    ]);
    expect(middle).toEqual(['events.user.created', 'events.order.created']);
    expect(deep).toEqual(['events.user.created', 'events.user.created.late']);
  });

  it('delivers once to an exact and a wildcard subscription alike, with the concrete channel', async () => {
    const [exact, wildcard] = await channelsSeen(
      ['events.user_signup', 'events.*'],
      ['events.user_signup'],
    );
    expect(exact).toEqual(['events.user_signup']);
    expect(wildcard).toEqual(['events.user_signup']);
  });

  it('keeps a publisher order on a wildcard subscription across channels', async () => {
    const bus = new PubSub(db.connect());
    const pull = await bus.subscribe<number>('orders.>');
    const sent = Array.from({ length: 50 }, (_, index) => index);
    await Promise.all(
      sent.map((index) => publisher.publish(`orders.${index % 3 === 0 ? 'a' : 'b.c'}`, index)),
    );
    expect((await take(pull, sent.length)).map((message) => message.payload)).toEqual(sent);
    await bus.close();
  });

  it('reaches no wildcard subscriber when the publisher turns the fan-out off', async () => {
    const quiet = new PubSub(db.pgq, { wildcardFanOut: false });
    const bus = new PubSub(db.connect());
    const wildcard = await bus.subscribe('quiet.*');
    const exact = await bus.subscribe('quiet.one');
    await quiet.publish('quiet.one', 'not fanned out');
    await publisher.publish('quiet.one', 'fanned out');
    expect((await take(exact, 2)).map((message) => message.payload)).toEqual([
      'not fanned out',
      'fanned out',
    ]);
    expect((await take(wildcard, 1)).map((message) => message.payload)).toEqual(['fanned out']);
    expect(wildcard.buffered).toBe(0);
    await bus.close();
    await quiet.close();
  });
});
