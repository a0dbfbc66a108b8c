import { once } from 'node:events';
import { PayloadTooLargeError } from '@pgq/core';
import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelopeHead, sealEnvelope } from '../src/envelope.js';
import { MessageRejectedError, PayloadExpiredError, PubSub } from '../src/index.js';
import { MessageKey } from '../src/message-key.js';
import { getPubSubKey } from '../src/sql/pubsub-key-get.js';
import { recordingExecutor, take } from './support.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.dispose());

async function storedCount(): Promise<number> {
  const rows = await db.pgq.db.selectFrom('pubsub_payloads').select(['id', 'channel']).execute();
  return rows.length;
}

describe('large payloads', () => {
  it('delivers 20 KB and 1 MB payloads whole to every subscriber, then sweeps the stored copies', async () => {
    await db.pgq.db.deleteFrom('pubsub_payloads').execute();
    const publisher = new PubSub(db.connect(), { payloadRetentionMs: 1_000 });
    const subscribers = [new PubSub(db.connect()), new PubSub(db.connect())];
    const pulls = await Promise.all(subscribers.map((bus) => bus.subscribe('large.whole')));

    const twentyKb = {
      kind: 'report',
      rows: Array.from({ length: 500 }, (_, row) => `row-${row}-${'x'.repeat(32)}`),
    };
    // 1,000,000 bytes in 500,000 characters: the limit is measured in bytes.
    const oneMb = 'é'.repeat(500_000);
    expect(Buffer.byteLength(JSON.stringify(twentyKb))).toBeGreaterThan(20_000);
    await publisher.publish('large.whole', twentyKb);
    await publisher.publish('large.whole', oneMb);

    for (const pull of pulls) {
      const [first, second] = await take(pull, 2);
      expect(first?.payload).toEqual(twentyKb);
      expect(second?.payload).toBe(oneMb);
    }
    // Read by two subscribers and still there: no reader deletes a stored body.
    expect(await storedCount()).toBe(2);

    // The publisher's background sweep removes them once the retention has passed.
    while ((await storedCount()) > 0) await once(publisher, 'swept');
    expect(await storedCount()).toBe(0);
    await Promise.all([publisher, ...subscribers].map((bus) => bus.close()));
  });

  it('keeps one publisher order across small and large messages', async () => {
    const publisher = new PubSub(db.connect());
    const bus = new PubSub(db.connect());
    const pull = await bus.subscribe<{ index: number; padding: string }>('large.order');
    const sizes = Array.from({ length: 40 }, (_, index) => (index % 3 === 0 ? 30_000 : 10));
    await Promise.all(
      sizes.map((size, index) =>
        publisher.publish('large.order', { index, padding: 'p'.repeat(size) }),
      ),
    );
    const received = await take(pull, sizes.length);
    expect(received.map((message) => message.payload.index)).toEqual(
      sizes.map((_, index) => index),
    );
    expect(received.map((message) => message.payload.padding.length)).toEqual(sizes);
    await Promise.all([publisher.close(), bus.close()]);
  });

  it('delivers every size around NOTIFY’s 8000-byte limit intact', async () => {
    const publisher = new PubSub(db.connect());
    const bus = new PubSub(db.connect());
    const pull = await bus.subscribe<string>('large.edge');
    const sizes = Array.from({ length: 80 }, (_, index) => 7_930 + index);
    await Promise.all(sizes.map((size) => publisher.publish('large.edge', 'e'.repeat(size))));
    const received = await take(pull, sizes.length);
    expect(received.map((message) => message.payload.length)).toEqual(sizes);
    await Promise.all([publisher.close(), bus.close()]);
  });

  it('refuses a payload over maxPayloadBytes with PayloadTooLargeError, storing nothing', async () => {
    const publisher = new PubSub(db.pgq);
    const tx = recordingExecutor();
    // 600,000 characters, 1,200,000 bytes: over the 1 MiB default.
    const error = await publisher
      .publish('large.refused', 'é'.repeat(600_000), { tx })
      .catch((caught) => caught);
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect(error).toMatchObject({ size: 1_200_000, limit: 1_048_576 });
    expect(tx.statements).toEqual([]);
    await publisher.close();
  });

  it('reports a stored body that is gone by the time a subscriber reads it', async () => {
    const bus = new PubSub(db.connect());
    const errors: Error[] = [];
    bus.on('error', (error) => errors.push(error));
    const pull = await bus.subscribe('large.gone');
    // A signed notification referring to a row that was never stored (or already swept).
    const notifyChannel = db.pgq.channel('pubsub:large.gone');
    const key = new MessageKey(await getPubSubKey(db.pgq));
    const head = envelopeHead({
      id: 'dead:1',
      channel: 'large.gone',
      kind: 'string',
      stored: true,
      sentAt: Date.now(),
    });
    await db.pgq.query('select pg_notify($1, $2)', [
      notifyChannel,
      sealEnvelope(key, `${head}00000000-0000-4000-8000-000000000000`),
    ]);
    await db.pgq.query('select pg_notify($1, $2)', [notifyChannel, 'not a pgq message']);
    const publisher = new PubSub(db.pgq);
    await publisher.publish('large.gone', 'after');
    expect((await take(pull, 1))[0]?.payload).toBe('after');
    // The unsigned one is reported at once, the missing body after its lookup.
    expect(errors.map((error) => (error as { code?: string }).code).sort()).toEqual([
      MessageRejectedError.code,
      PayloadExpiredError.code,
    ]);
    await Promise.all([publisher.close(), bus.close()]);
  });
});
