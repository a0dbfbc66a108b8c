import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PubSub } from '../src/index.js';
import { sendWindowed } from './support.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.dispose());

interface Tick {
  publisher: number;
  sequence: number;
}

describe('fan-in and fan-out', () => {
  it('delivers 10,000 messages from 2 publishers to 3 subscribers, each in publisher order', async () => {
    const perPublisher = 5_000;
    const total = perPublisher * 2;
    const publishers = [new PubSub(db.connect()), new PubSub(db.connect())];
    const subscribers = [0, 1, 2].map(() => new PubSub(db.connect()));
    const received = subscribers.map(() => [[], []] as number[][]);
    let finished = 0;
    let allReceived = () => {};
    const done = new Promise<void>((resolve) => {
      allReceived = resolve;
    });
    await Promise.all(
      subscribers.map((bus, subscriber) =>
        bus.subscribe<Tick>('fan.ticks', (message) => {
          const lists = received[subscriber]!;
          lists[message.payload.publisher]!.push(message.payload.sequence);
          if (lists[0]!.length + lists[1]!.length === total && ++finished === subscribers.length)
            allReceived();
        }),
      ),
    );

    const started = performance.now();
    // Order means: the order in which one publisher called publish(). Calls start in
    // sequence order, with up to 16 unfinished at a time (not each awaited before the next).
    await Promise.all(
      publishers.map((bus, publisher) =>
        sendWindowed(perPublisher, 16, (sequence) =>
          bus.publish('fan.ticks', { publisher, sequence }),
        ),
      ),
    );
    await done;
    const seconds = (performance.now() - started) / 1_000;
    console.log(
      `fan-in: ${total} messages, 2 publishers -> 3 subscribers in ${seconds.toFixed(2)} s ` +
        `(${Math.round(total / seconds)} published msgs/s, ${Math.round((total * 3) / seconds)} deliveries/s)`,
    );

    const inOrder = Array.from({ length: perPublisher }, (_, index) => index);
    for (const lists of received) {
      // Every message, once, in the order its publisher called publish().
      expect(lists[0]).toEqual(inOrder);
      expect(lists[1]).toEqual(inOrder);
    }
    await Promise.all([...publishers, ...subscribers].map((bus) => bus.close()));
  });
});
