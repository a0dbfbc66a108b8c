// Issue 12, test 11: pgq through PgBouncer in transaction mode (Debian's pgbouncer, started
// here on a free port). Queue, cache and RPC must work with 0 prepared-statement errors, and
// LISTEN either goes to a direct URL (`listenerConnectionString`) or pgq finds it unavailable
// and polls, with one warning.

import { Cache } from '@pgq/cache';
import { connect, type Logger, type Pgq, SqlState, silentLogger, sqlStateOf } from '@pgq/core';
import { Queue, Worker } from '@pgq/queue';
import { RpcClient, RpcServer } from '@pgq/rpc';
import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check, formatCheck, installLedger, recordCompletions, recorded } from '../src/checker.js';
import { type PgBouncer, startPgBouncer } from '../src/pgbouncer.js';
import { quantile, waitUntil } from '../src/wait.js';

const jobs = 1_000;
const calls = 200;
const cacheKeys = 200;

let db: TestDatabase;
let bouncer: PgBouncer;

beforeAll(async () => {
  db = await createTestDatabase();
  await installLedger(db.pgq);
  bouncer = await startPgBouncer({ databaseUrl: db.url });
});

afterAll(async () => {
  await bouncer?.stop();
  await db?.dispose();
});

/** Every warning and error pgq reports, and every error the workload saw. */
class Trouble {
  readonly warnings: string[] = [];
  readonly errors: unknown[] = [];
  readonly logger: Logger = {
    ...silentLogger,
    warn: (message) => this.warnings.push(message),
    error: (message, meta) => this.errors.push(new Error(`${message} ${JSON.stringify(meta)}`)),
  };

  /** Errors that a lost or duplicated prepared statement caused. */
  get preparedStatementErrors(): number {
    return this.errors.filter((error) => {
      const state = sqlStateOf(error);
      return (
        state === SqlState.invalidSqlStatementName ||
        state === SqlState.duplicatePreparedStatement ||
        /prepared statement/.test(String(error))
      );
    }).length;
  }

  warningsAbout(pattern: RegExp): number {
    return this.warnings.filter((warning) => pattern.test(warning)).length;
  }
}

async function queueThrough(pgq: Pgq, trouble: Trouble, name: string) {
  const queue = new Queue<{ n: number }>(pgq, name);
  await queue.create();
  const acknowledged: string[] = [];
  for (let start = 0; start < jobs; start += 100) {
    const batch = Array.from({ length: 100 }, (_, index) => ({ n: start + index }));
    for (const { id } of await queue.enqueueMany(batch)) acknowledged.push(id);
  }
  const worker = new Worker(
    pgq,
    queue,
    recorded(pgq, async () => 'done'),
    { concurrency: 10 },
  );
  worker.on('error', (error) => trouble.errors.push(error));
  const flushed = recordCompletions(pgq, worker);
  await worker.start();
  try {
    await waitUntil(async () => (await queue.stats()).completed >= jobs, {
      timeoutMs: 60_000,
      message: async () => `queue stuck at ${JSON.stringify(await queue.stats())}`,
    });
  } finally {
    await worker.stop();
    await flushed();
  }
  return check(db.pgq, { queue: name, acknowledged });
}

async function cacheThrough(pgq: Pgq, trouble: Trouble, namespace: string) {
  const cache = new Cache(pgq, { namespace });
  let wrong = 0;
  let loads = 0;
  const keys = Array.from({ length: cacheKeys }, (_, index) => `key:${index}`);
  try {
    await cache.setMany(
      keys.map((key) => [key, { key }] as const),
      300,
    );
    const values = await Promise.all(keys.map((key) => cache.get<{ key: string }>(key)));
    wrong += values.filter((value, index) => value?.key !== keys[index]).length;
    await Promise.all(keys.slice(0, 50).map((key) => cache.delete(key)));
    wrong += (await Promise.all(keys.slice(0, 50).map((key) => cache.has(key)))).filter(
      Boolean,
    ).length;
    // Two rounds over the same keys: the second finds the first round's loads cached.
    const loadStarted = performance.now();
    for (let round = 0; round < 2; round++) {
      const loaded = await Promise.all(
        keys.slice(0, 20).map((key) =>
          cache.getOrSet(key, 300, () => {
            loads++;
            return { key };
          }),
        ),
      );
      wrong += loaded.filter((value, index) => value.key !== keys[index]).length;
    }
    return { wrong, loads, getOrSetMs: Math.round(performance.now() - loadStarted) };
  } catch (error) {
    trouble.errors.push(error);
    throw error;
  } finally {
    await cache.stop();
  }
}

async function rpcThrough(pgq: Pgq, trouble: Trouble, queue: string) {
  const server = new RpcServer<{ n: number }, { n: number }>(pgq, queue, (request) => ({
    n: request.n,
  }));
  server.on('error', (error) => trouble.errors.push(error));
  await server.start();
  const client = new RpcClient(pgq, { timeoutMs: 30_000 });
  client.on('error', (error) => trouble.errors.push(error));
  const latencies: number[] = [];
  let misrouted = 0;
  try {
    await Promise.all(
      Array.from({ length: calls }, async (_, n) => {
        const started = performance.now();
        try {
          const answer = await client.call<{ n: number }>(queue, { n });
          if (answer.n !== n) misrouted++;
          latencies.push(performance.now() - started);
        } catch (error) {
          trouble.errors.push(error);
        }
      }),
    );
  } finally {
    await client.close();
    await server.stop();
  }
  return {
    answered: latencies.length,
    misrouted,
    p50Ms: Math.round(quantile(latencies, 0.5)),
    p99Ms: Math.round(quantile(latencies, 0.99)),
  };
}

/** Queue, cache and RPC through one connection, and the figures every case reports. */
async function everythingThrough(pgq: Pgq, trouble: Trouble, name: string) {
  const started = performance.now();
  const queued = await queueThrough(pgq, trouble, name);
  const cached = await cacheThrough(pgq, trouble, name);
  const answered = await rpcThrough(pgq, trouble, `rpc_${name}`);
  const figures = {
    polling: String(pgq.listener.polling),
    preparedStatementErrors: trouble.preparedStatementErrors,
    errors: trouble.errors.length,
    cacheWrong: cached.wrong,
    cacheLoads: cached.loads,
    getOrSetMs: cached.getOrSetMs,
    rpcAnswered: answered.answered,
    rpcMisrouted: answered.misrouted,
    rpcP50Ms: answered.p50Ms,
    rpcP99Ms: answered.p99Ms,
    seconds: ((performance.now() - started) / 1000).toFixed(1),
  };
  return { queued, cached, answered, figures };
}

describe('PgBouncer in transaction mode', () => {
  it('without a direct listener URL: pgq polls (one warning) and queue, cache and RPC work', async () => {
    const trouble = new Trouble();
    const pgq = connect({
      connectionString: bouncer.url,
      schema: db.schema,
      logger: trouble.logger,
      listenerPollIntervalMs: 500,
    });
    try {
      const { queued, cached, answered, figures } = await everythingThrough(
        pgq,
        trouble,
        'bounced',
      );
      console.log(
        formatCheck('pgbouncer (listener polls)', queued, {
          ...figures,
          listenWarnings: trouble.warningsAbout(/listener/),
          preparedStatements: String(pgq.preparedStatements),
        }),
      );
      expect(pgq.listener.polling).toBe(true);
      expect(trouble.warningsAbout(/listener/)).toBe(1);
      expect(trouble.warningsAbout(/prepared statement/)).toBeLessThanOrEqual(1);
      expect(trouble.preparedStatementErrors).toBe(0);
      expect(trouble.errors).toEqual([]);
      expect(queued).toMatchObject({ lost: 0, duplicated: 0, unexpected: 0, completed: jobs });
      expect(cached).toMatchObject({ wrong: 0, loads: 20 });
      expect(answered).toMatchObject({ answered: calls, misrouted: 0 });
    } finally {
      await pgq.close();
    }
  });

  it('with listenerConnectionString to PostgreSQL itself: notifications flow, nothing polls', async () => {
    const trouble = new Trouble();
    const pgq = connect({
      connectionString: bouncer.url,
      listenerConnectionString: db.url,
      preparedStatements: false,
      schema: db.schema,
      logger: trouble.logger,
    });
    try {
      const { queued, cached, answered, figures } = await everythingThrough(
        pgq,
        trouble,
        'bounced_direct',
      );
      console.log(
        formatCheck('pgbouncer (direct listener)', queued, {
          ...figures,
          warnings: trouble.warnings.length,
        }),
      );
      expect(pgq.listener.polling).toBe(false);
      expect(trouble.warnings).toEqual([]);
      expect(trouble.errors).toEqual([]);
      expect(queued).toMatchObject({ lost: 0, duplicated: 0, unexpected: 0, completed: jobs });
      expect(cached).toMatchObject({ wrong: 0, loads: 20 });
      expect(answered).toMatchObject({ answered: calls, misrouted: 0 });
    } finally {
      await pgq.close();
    }
  });

  // Cache fills are fenced across processes by an advisory lock held in one transaction on one
  // client, so a transaction-mode pooler keeps it on one server session and it cannot leak (a
  // session-level lock taken and released through the pooler stayed with a pooled session:
  // later fills of the key waited `lockTimeoutMs`, then loaded unfenced).
  it('getOrSet of a key filled, deleted and filled again from two processes: fenced and prompt', async () => {
    const lockTimeoutMs = 2_000;
    const processes = [0, 1].map(() =>
      connect({
        connectionString: bouncer.url,
        listenerConnectionString: db.url,
        preparedStatements: false,
        schema: db.schema,
      }),
    );
    const caches = processes.map((pgq) => new Cache(pgq, { namespace: 'refill', lockTimeoutMs }));
    const keys = Array.from({ length: 10 }, (_, index) => `refill:${index}`);
    const roundMs: number[] = [];
    let loads = 0;
    try {
      for (let round = 0; round < 4; round++) {
        const started = performance.now();
        await Promise.all(
          caches.flatMap((cache) =>
            keys.map((key) =>
              cache.getOrSet(key, 300, () => {
                loads++;
                return round;
              }),
            ),
          ),
        );
        roundMs.push(Math.round(performance.now() - started));
        await Promise.all(keys.map((key) => caches[0]!.delete(key)));
      }
      console.log(
        `[reliability] pgbouncer getOrSet refill: loads=${loads} expectedLoads=${4 * keys.length} roundMs=${roundMs.join(',')} lockTimeoutMs=${lockTimeoutMs}`,
      );
      expect(loads).toBe(4 * keys.length);
      expect(Math.max(...roundMs)).toBeLessThan(lockTimeoutMs / 2);
    } finally {
      await Promise.all(processes.map((pgq) => pgq.close()));
    }
  });
});
