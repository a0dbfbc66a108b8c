import { Queue } from '@pgq/queue';
import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RpcClient } from '../src/index.js';
import { countReplies, type ServerProcess, startServerProcess } from './helpers.js';

interface Answer {
  caller: string;
  n: number;
  answer: number;
  pid: number;
}

const queue = 'rpc_multi';
const callsPerClient = 500;
let db: TestDatabase;
const servers: ServerProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  await new Queue(db.pgq, queue).create();
  const started = await Promise.allSettled(
    [1, 2, 3].map(() =>
      startServerProcess({ url: db.url, schema: db.schema, queue, concurrency: 20 }),
    ),
  );
  for (const outcome of started) if (outcome.status === 'fulfilled') servers.push(outcome.value);
  const failed = started.find((outcome) => outcome.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
});

afterAll(async () => {
  const codes = await Promise.all(servers.map((server) => server.stop()));
  await db?.dispose();
  expect(codes.every((code) => code === 0)).toBe(true);
});

describe('many callers, many server processes', () => {
  it('gives each of 1,000 concurrent calls from 2 client pools its own answer from 3 servers', async () => {
    const clients = ['a', 'b'].map((caller) => ({
      caller,
      rpc: new RpcClient(db.connect({ max: 5 }), { timeoutMs: 25_000 }),
    }));
    const started = performance.now();
    const results = await Promise.all(
      clients.flatMap(({ caller, rpc }, index) =>
        Array.from({ length: callsPerClient }, (_, offset) => {
          const n = index * callsPerClient + offset;
          return rpc.call<Answer>(queue, { caller, n }).then((answer) => ({ caller, n, answer }));
        }),
      ),
    );
    const elapsedMs = performance.now() - started;
    console.log(
      `rpc multi-process: ${results.length} concurrent calls, 2 clients, 3 server processes: ${elapsedMs.toFixed(0)} ms (${((results.length / elapsedMs) * 1_000).toFixed(0)} calls/s)`,
    );

    expect(results).toHaveLength(2 * callsPerClient);
    for (const { caller, n, answer } of results) {
      expect(answer.caller).toBe(caller);
      expect(answer.n).toBe(n);
      expect(answer.answer).toBe(n * 3 + 1);
    }
    const servedBy = new Set(results.map(({ answer }) => answer.pid));
    expect(servedBy).toEqual(new Set(servers.map((server) => server.child.pid)));

    await Promise.all(clients.map(({ rpc }) => rpc.close()));
    expect(await countReplies(db.pgq)).toBe(0);
    const stats = await new Queue(db.pgq, queue).stats();
    expect(stats).toMatchObject({ pending: 0, dead: 0, cancelled: 0 });
    // Each request ran once: every job completed (the last completions may still be landing).
    expect(stats.completed + stats.active).toBe(2 * callsPerClient);
  });
});
