// Issue 12, test 12: what pub/sub promises and what it does not. A plain subscriber is
// at-most-once: what is published while its LISTEN connection is down is lost (as with Redis
// pub/sub), and that loss must stay confined to the outage; a rolled-back publish is never
// delivered; a payload too large for NOTIFY is delivered all the same, byte for byte.
import { type Pgq, quoteIdentifier } from '@pgq/core';
import { type Message, PubSub } from '@pgq/pubsub';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../src/suite.js';
import { sleep, waitUntil } from '../src/wait.js';

const db = useTestDatabase();
let subscriberPgq: Pgq;
let publisher: PubSub;
let subscriber: PubSub;

beforeAll(() => {
  // Its own Pgq, hence its own LISTEN connection: killing it leaves the publisher alone.
  subscriberPgq = db.connect();
  publisher = new PubSub(db.pgq);
  subscriber = new PubSub(subscriberPgq);
});

afterAll(async () => {
  await subscriber?.close();
  await publisher?.close();
});

/** Subscribes to `channel`, collecting every payload; `arrived(p)` waits for one. */
async function collect<Payload>(channel: string, bus = subscriber) {
  const received: Payload[] = [];
  const subscription = await bus.subscribe<Payload>(channel, (message: Message<Payload>) => {
    received.push(message.payload);
  });
  const arrived = (predicate: (payload: Payload) => boolean, timeoutMs = 10_000) =>
    waitUntil(() => received.some(predicate), {
      timeoutMs,
      intervalMs: 10,
      message: `expected message not delivered on ${channel}`,
    });
  return { received, subscription, arrived };
}

describe('pub/sub delivery', () => {
  it('10,000 messages with the LISTEN connection killed mid-stream: loss only in the outage, then delivery resumes', async () => {
    const total = 10_000;
    const batch = 100;
    const killAfter = 3_000;
    const { received, subscription, arrived } = await collect<{ n: number }>('loss.stream');
    let reconnectedAt = 0;
    subscriber.once('reconnected', () => {
      reconnectedAt = Date.now();
    });
    // When each message's publish began and when it was acknowledged (committed).
    const began: number[] = [];
    const acknowledged: number[] = [];
    let killedAt = 0;
    const startedAt = Date.now();
    for (let first = 0; first < total; first += batch) {
      if (first === killAfter) {
        const pid = subscriberPgq.listener.backendPid;
        expect(pid).toBeDefined();
        killedAt = Date.now();
        await db.pgq.query('select pg_terminate_backend($1)', [pid]);
      }
      const sends = [];
      for (let n = first; n < first + batch; n++) {
        began[n] = Date.now();
        sends.push(
          publisher.publish('loss.stream', { n }).then(() => {
            acknowledged[n] = Date.now();
          }),
        );
      }
      await Promise.all(sends);
      // About 2,000 messages a second, so the stream outlasts the outage many times over.
      await sleep(50);
    }
    const publishMs = Date.now() - startedAt;
    // Messages stay in order: once this one is in, everything before it that will come, has.
    await publisher.publish('loss.stream', { n: total });
    await arrived((payload) => payload.n === total, 15_000);
    await subscription.unsubscribe();

    const delivered = new Set(received.map((payload) => payload.n).filter((n) => n < total));
    const lost = [...Array(total).keys()].filter((n) => !delivered.has(n));
    const outageMs = reconnectedAt - killedAt;
    const lostBeforeOutage = lost.filter((n) => acknowledged[n]! < killedAt - 1_000).length;
    const lostAfterReconnect = lost.filter((n) => began[n]! > reconnectedAt).length;
    const contiguous = lost.length === 0 || lost.at(-1)! - lost[0]! === lost.length - 1;
    console.log(
      `[reliability] pubsub listener killed mid-stream: published=${total} delivered=${delivered.size} lost=${lost.length} lostRange=${lost.length ? `${lost[0]}-${lost.at(-1)}` : 'none'} duplicated=${received.length - 1 - delivered.size} outageMs=${outageMs} lostBeforeOutage=${lostBeforeOutage} lostAfterReconnect=${lostAfterReconnect} publishMs=${publishMs} lossPerOutageSecond=${Math.round((lost.length * 1_000) / outageMs)}`,
    );
    expect(reconnectedAt).toBeGreaterThan(killedAt);
    expect(received.length - 1).toBe(delivered.size);
    expect(contiguous).toBe(true);
    expect(lostBeforeOutage).toBe(0);
    expect(lostAfterReconnect).toBe(0);
    // Bounded: everything acknowledged in the last second before the kill and during the outage.
    const window = began.filter(
      (at, n) => acknowledged[n]! >= killedAt - 1_000 && at <= reconnectedAt,
    ).length;
    expect(lost.length).toBeLessThanOrEqual(window);
  });

  it('rolled-back publishes are never delivered; committed ones are', async () => {
    const { received, subscription, arrived } = await collect<string>('loss.transactions');
    const client = await db.pgq.pool.connect();
    try {
      for (const outcome of ['rollback', 'commit'] as const) {
        await client.query('begin');
        for (let n = 0; n < 100; n++) {
          await publisher.publish('loss.transactions', `${outcome}-${n}`, { tx: client });
        }
        await client.query(outcome);
      }
    } finally {
      client.release();
    }
    await publisher.publish('loss.transactions', 'end');
    await arrived((payload) => payload === 'end');
    await subscription.unsubscribe();
    const rolledBack = received.filter((payload) => payload.startsWith('rollback-')).length;
    const committed = received.filter((payload) => payload.startsWith('commit-')).length;
    console.log(
      `[reliability] pubsub transactions: rolledBackPublished=100 rolledBackDelivered=${rolledBack} committedPublished=100 committedDelivered=${committed}`,
    );
    expect(rolledBack).toBe(0);
    expect(committed).toBe(100);
  });
});

/** A string of exactly `bytes` UTF-8 bytes, mostly 3- and 4-byte characters (so bytes ≠ chars). */
function textOfBytes(bytes: number): string {
  const unit = '€😀'; // 3 + 4 bytes, 3 UTF-16 code units
  const units = Math.floor(bytes / 7);
  return unit.repeat(units) + 'a'.repeat(bytes - units * 7);
}

describe("payloads around NOTIFY's 8000-byte limit", () => {
  it('straddle the spill threshold exactly, and 7,999 and 8,000 bytes both arrive byte-exact', async () => {
    const channel = 'loss.sizes';
    // A PubSub of its own: its message ids (publisher id and sequence number) stay one
    // length over these few messages, so every envelope header has the same size.
    const bus = new PubSub(db.pgq);
    const { received, subscription, arrived } = await collect<string>(channel);
    // What PostgreSQL actually carries: the raw NOTIFY text on the channel's NOTIFY channel.
    const raw = new pg.Client({ connectionString: db.url });
    const envelopes: string[] = [];
    raw.on('notification', (notification) => envelopes.push(notification.payload ?? ''));
    await raw.connect();
    try {
      await raw.query(`listen ${quoteIdentifier(db.pgq.channel(`pubsub:${channel}`))}`);
      const send = async (payload: string) => {
        const storedBefore = await storedCount(channel);
        const envelopesBefore = envelopes.length;
        await bus.publish(channel, payload);
        await arrived((candidate) => candidate === payload);
        await waitUntil(() => envelopes.length === envelopesBefore + 1, { timeoutMs: 5_000 });
        const envelope = envelopes.at(-1)!;
        return {
          bytes: Buffer.byteLength(payload),
          envelopeBytes: Buffer.byteLength(envelope),
          stored: (await storedCount(channel)) - storedBefore,
          exact: received.filter((candidate) => candidate === payload).length === 1,
        };
      };
      const probe = await send('x');
      // The envelope is a header line then the body: this much of NOTIFY's room is the header.
      const header = probe.envelopeBytes - 1;
      const largestInline = await send(textOfBytes(7_999 - header));
      const smallestSpilled = await send(textOfBytes(8_000 - header));
      const issue7999 = await send(textOfBytes(7_999));
      const issue8000 = await send(textOfBytes(8_000));
      const describeSend = (name: string, result: typeof probe) =>
        `${name}=${result.bytes}B/envelope=${result.envelopeBytes}B/${result.stored ? 'spilled' : 'inline'}/${result.exact ? 'exact' : 'MISMATCH'}`;
      console.log(
        `[reliability] pubsub payload sizes: header=${header}B ${describeSend('largestInline', largestInline)} ${describeSend('smallestSpilled', smallestSpilled)} ${describeSend('p7999', issue7999)} ${describeSend('p8000', issue8000)}`,
      );
      expect(probe).toMatchObject({ stored: 0, exact: true });
      // NOTIFY takes payloads shorter than 8000 bytes: the largest inline envelope is 7,999.
      expect(largestInline).toMatchObject({ envelopeBytes: 7_999, stored: 0, exact: true });
      expect(smallestSpilled).toMatchObject({ stored: 1, exact: true });
      expect(smallestSpilled.envelopeBytes).toBeLessThan(200);
      expect(issue7999).toMatchObject({ exact: true });
      expect(issue8000).toMatchObject({ stored: 1, exact: true });
    } finally {
      await raw.end();
      await subscription.unsubscribe();
      await bus.close();
    }
  });
});

async function storedCount(channel: string): Promise<number> {
  const [row] = await db.pgq.query<{ count: number }>(
    `select count(*)::int as count from ${db.pgq.table('pubsub_payloads')} where channel = $1`,
    [channel],
  );
  return row!.count;
}
