import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RpcClient, RpcServer } from '../src/index.js';
import { countReplies, quantile } from './helpers.js';

// A benchmark reported in the output, not a timed test: only sanity bounds are asserted.
const totalCalls = 2_000;
const inFlight = 16;

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.dispose();
});

describe('round-trip latency', () => {
  it(`measures ${totalCalls} calls, ${inFlight} in flight, one server in process`, async () => {
    const serverPgq = db.connect({ max: 8 });
    const clientPgq = db.connect({ max: 8 });
    const server = new RpcServer<{ n: number }, number>(serverPgq, 'rpc_bench', ({ n }) => n + 1, {
      concurrency: inFlight,
    });
    await server.start();
    const rpc = new RpcClient(clientPgq);
    try {
      for (let n = 0; n < 50; n++) await rpc.call('rpc_bench', { n }); // warm up

      const alone: number[] = [];
      for (let n = 0; n < 200; n++) {
        const callStarted = performance.now();
        await rpc.call('rpc_bench', { n });
        alone.push(performance.now() - callStarted);
      }
      console.log(
        `rpc round trip, one call at a time: p50 ${quantile(alone, 0.5).toFixed(2)} ms, p99 ${quantile(alone, 0.99).toFixed(2)} ms`,
      );

      const latencies: number[] = [];
      let next = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: inFlight }, async () => {
          while (next < totalCalls) {
            const n = next++;
            const callStarted = performance.now();
            const answer = await rpc.call<number>('rpc_bench', { n });
            latencies.push(performance.now() - callStarted);
            expect(answer).toBe(n + 1);
          }
        }),
      );
      const elapsedMs = performance.now() - started;
      const p50 = quantile(latencies, 0.5);
      const p99 = quantile(latencies, 0.99);
      const perSecond = (totalCalls / elapsedMs) * 1_000;
      console.log(
        `rpc round trip: ${totalCalls} calls, ${inFlight} in flight: p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, ${perSecond.toFixed(0)} calls/s`,
      );
      expect(latencies).toHaveLength(totalCalls);
      expect(p50).toBeLessThan(500);
      expect(perSecond).toBeGreaterThan(20);
      expect(await countReplies(db.pgq)).toBe(0);
    } finally {
      await rpc.close();
      await server.stop();
    }
  });
});
