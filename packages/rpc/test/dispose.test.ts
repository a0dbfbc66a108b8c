import { ClosedError, type Pgq } from '@pgq/core';
import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RpcClient, RpcServer } from '../src/index.js';

let db: TestDatabase;
let pgq: Pgq;

beforeAll(async () => {
  db = await createTestDatabase();
  pgq = db.connect();
});

afterAll(async () => {
  await db?.dispose();
});

async function completedRetentionSeconds(queue: string): Promise<number | undefined> {
  const row = await pgq.db
    .selectFrom('queues')
    .select('completed_retention_seconds')
    .where('name', '=', queue)
    .executeTakeFirst();
  return row?.completed_retention_seconds;
}

describe('await using', () => {
  it('closes an RpcClient and stops an RpcServer as the block exits', async () => {
    let client: RpcClient | undefined;
    let server: RpcServer<{ a: number; b: number }, number> | undefined;
    {
      await using serving = new RpcServer<{ a: number; b: number }, number>(
        pgq,
        'rpc_dispose',
        (request) => request.a + request.b,
      );
      await using calling = new RpcClient(pgq);
      server = serving;
      client = calling;
      await serving.start();
      expect(await calling.call<number>('rpc_dispose', { a: 1, b: 2 })).toBe(3);
      expect(pgq.listener.channels).toContain(calling.channel);
    }
    expect(server.state).toBe('stopped');
    expect(pgq.listener.channels).toEqual([]);
    await expect(client.call('rpc_dispose', { a: 1, b: 2 })).rejects.toThrow(ClosedError);
  });
});

describe('queueSettings retention', () => {
  it('keeps no answered request by default, and takes either retention name', async () => {
    const defaults = new RpcServer(pgq, 'rpc_retention_default', () => null);
    const inMs = new RpcServer(pgq, 'rpc_retention_ms', () => null, {
      queueSettings: { completedRetentionMs: 600_000 },
    });
    // The deprecated name must not clash with the server's own default of 0 ms.
    const inSeconds = new RpcServer(pgq, 'rpc_retention_seconds', () => null, {
      queueSettings: { completedRetentionSeconds: 600 },
    });
    for (const server of [defaults, inMs, inSeconds]) {
      await server.start();
      await server.stop();
    }
    expect(await completedRetentionSeconds('rpc_retention_default')).toBe(0);
    expect(await completedRetentionSeconds('rpc_retention_ms')).toBe(600);
    expect(await completedRetentionSeconds('rpc_retention_seconds')).toBe(600);
  });
});
