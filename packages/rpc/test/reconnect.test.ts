import { once } from 'node:events';
import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RpcClient, RpcServer } from '../src/index.js';
import { countReplies, deferred } from './helpers.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.dispose();
});

describe('a caller whose LISTEN connection drops', () => {
  it('still settles every call exactly once, with its own answer', async () => {
    const serverPgq = db.connect({ max: 4 });
    const clientPgq = db.connect({ max: 5 });
    const runs = new Map<number, number>();
    const underWay = deferred();
    const server = new RpcServer<{ n: number }, number>(
      serverPgq,
      'rpc_reconnect',
      async ({ n }) => {
        runs.set(n, (runs.get(n) ?? 0) + 1);
        if (runs.size === 20) underWay.resolve();
        await new Promise((resolve) => setTimeout(resolve, 2));
        return n * 7;
      },
      { concurrency: 8 },
    );
    await server.start();
    const rpc = new RpcClient(clientPgq, { timeoutMs: 20_000 });
    try {
      await expect(rpc.call('rpc_reconnect', { n: -1 })).resolves.toBe(-7); // LISTENing now
      const killedPid = clientPgq.listener.backendPid;
      expect(killedPid).toBeTypeOf('number');

      const settled = new Map<number, number>();
      const calls = Array.from({ length: 400 }, (_, n) =>
        rpc.call<number>('rpc_reconnect', { n }).finally(() => {
          settled.set(n, (settled.get(n) ?? 0) + 1);
        }),
      );
      // Kill the LISTEN connection while calls are in flight; count the replies the server
      // announces before the listener is back: those notifications are lost.
      await underWay.promise;
      let answeredWhileDown = 0;
      const countAnswered = () => answeredWhileDown++;
      server.worker.on('completed', countAnswered);
      const reconnected = once(clientPgq.listener, 'reconnected');
      await db.pgq.query('select pg_terminate_backend($1)', [killedPid]);
      await reconnected;
      server.worker.off('completed', countAnswered);

      const outcomes = await Promise.allSettled(calls);
      const failures = outcomes.filter((outcome) => outcome.status === 'rejected');
      expect(failures).toEqual([]);
      outcomes.forEach((outcome, n) => {
        expect(outcome).toEqual({ status: 'fulfilled', value: n * 7 });
      });
      for (let n = 0; n < calls.length; n++) {
        expect(settled.get(n)).toBe(1);
        expect(runs.get(n)).toBe(1);
      }
      console.log(
        `rpc reconnect: ${answeredWhileDown} of ${calls.length} replies were announced while the listener was down`,
      );
      expect(answeredWhileDown).toBeGreaterThan(0);
      expect(clientPgq.listener.backendPid).not.toBe(killedPid);
      expect(await countReplies(db.pgq)).toBe(0);
    } finally {
      await rpc.close();
      await server.stop();
    }
  });
});
