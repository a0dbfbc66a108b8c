import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PubSub } from '../src/index.js';
import { sendWindowed } from './support.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.dispose());

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN;
}

// A measurement, not a timed test: it prints the figures and asserts only that they are sane.
describe('throughput and latency', () => {
  it('measures publish-to-handler latency for 10,000 messages with 16 in flight', async () => {
    const count = 10_000;
    const publisher = new PubSub(db.connect());
    const subscriber = new PubSub(db.connect());
    const sentAt = new Float64Array(count);
    const latencies: number[] = [];
    let allReceived = () => {};
    const done = new Promise<void>((resolve) => {
      allReceived = resolve;
    });
    await subscriber.subscribe<{ index: number; body: string }>('bench.latency', (message) => {
      latencies.push(performance.now() - sentAt[message.payload.index]!);
      if (latencies.length === count) allReceived();
    });
    const body = 'x'.repeat(100);
    const started = performance.now();
    await sendWindowed(count, 16, (index) => {
      sentAt[index] = performance.now();
      return publisher.publish('bench.latency', { index, body });
    });
    await done;
    const seconds = (performance.now() - started) / 1_000;
    const sorted = [...latencies].sort((a, b) => a - b);
    const p50 = percentile(sorted, 0.5);
    const p99 = percentile(sorted, 0.99);
    console.log(
      `pubsub: ${count} messages (~130 B) with 16 in flight: ${Math.round(count / seconds)} msgs/s, ` +
        `publish->handler p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, max ${sorted.at(-1)?.toFixed(2)} ms`,
    );
    expect(latencies).toHaveLength(count);
    expect(p50).toBeGreaterThan(0);
    expect(p99).toBeGreaterThanOrEqual(p50);
    await Promise.all([publisher.close(), subscriber.close()]);
  });
});
