// Issue 26, item 4: search_path operator hijack. A login with CREATE on a schema of pgq's
// search_path (`public`: PostgreSQL 14's default, or any PostgreSQL with CREATE granted on it)
// plants twins of pg_catalog's operators and functions there. A call that reaches pg_catalog's
// only through a cast or a polymorphic parameter (`int * interval`, `numeric * int`,
// `unnest(text[])`, `format(text, text)`) takes the twin instead, which runs as pgq's role.
// The twins here record every call (and answer as pg_catalog would, so nothing looks wrong):
// after pgq has done everything it does, none may have run. Once with pgq's own pool, once
// through PgBouncer in transaction mode on a pool the app made, the two setups where a pinned
// search_path cannot be relied on.
//
// The planted set: every binary operator of pg_catalog and every function or aggregate whose
// name appears in pgq's source, for each combination of pgq's column types (scalars and
// arrays) that reaches pg_catalog's only through a cast or a polymorphic parameter.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cache } from '@pgq/cache';
import { connect, health, type Pgq, quoteIdentifier } from '@pgq/core';
import { quoteLiteral } from '@pgq/core/internal';
import { verify } from '@pgq/migrate';
import { PubSub } from '@pgq/pubsub';
import { Queue, Scheduler, Worker } from '@pgq/queue';
import { RpcClient, RpcServer } from '@pgq/rpc';
import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type HostileCatalog, plantHostileCatalog } from '../src/hostile-catalog.js';
import { type PgBouncer, startPgBouncer } from '../src/pgbouncer.js';
import { useFigures } from '../src/suite.js';
import { waitUntil } from '../src/wait.js';

const runId = randomBytes(4).toString('hex');
const database = `pgq_search_path_${runId}`;
const attacker = `pgq_attacker_${runId}`;
const figures = useFigures('search_path hijack');

let admin: pg.Client;
let attackerClient: pg.Client | undefined;
let victimUrl: string;
let hostile: HostileCatalog;
let bouncer: PgBouncer | undefined;
const databases: TestDatabase[] = [];

/** The names pgq's SQL calls: every `name(` in the packages' sources and migrations. */
function functionNames(): string[] {
  const packages = fileURLToPath(new URL('../../../packages/', import.meta.url));
  const names = new Set<string>();
  const read = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) read(path);
      else if (/\.(ts|sql)$/.test(entry.name) && !entry.name.endsWith('.test.ts')) {
        for (const match of readFileSync(path, 'utf8').matchAll(/\b([a-z_][a-z0-9_]*)\s*\(/g)) {
          names.add(match[1]!);
        }
      }
    }
  };
  for (const name of readdirSync(packages)) {
    for (const folder of ['src', 'sql']) {
      try {
        read(join(packages, name, folder));
      } catch {
        // Not every package has both.
      }
    }
  }
  return [...names].sort();
}

beforeAll(async () => {
  const serverUrl = process.env.DATABASE_URL!;
  admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${quoteIdentifier(database)}`);
  const password = randomBytes(12).toString('hex');
  await admin.query(
    `create role ${quoteIdentifier(attacker)} login password ${quoteLiteral(password)}`,
  );
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  victimUrl = url.toString();
  const owner = new pg.Client({ connectionString: victimUrl });
  await owner.connect();
  // PostgreSQL 14's default, and what `grant create on schema public to public` restores.
  await owner.query(`grant create on schema public to ${quoteIdentifier(attacker)}`);
  await owner.end();
  const attackerUrl = new URL(victimUrl);
  attackerUrl.username = attacker;
  attackerUrl.password = password;
  // Kept open: the calls are read back over it.
  attackerClient = new pg.Client({ connectionString: attackerUrl.toString() });
  await attackerClient.connect();
  const started = performance.now();
  hostile = await plantHostileCatalog(attackerClient, `evil_${runId}`, functionNames());
  figures.planted = hostile.planted;
  figures.plantSeconds = ((performance.now() - started) / 1000).toFixed(1);
}, 120_000);

afterAll(async () => {
  for (const db of databases) await db.dispose().catch(() => {});
  await bouncer?.stop();
  await attackerClient?.end();
  await admin.query(`drop database if exists ${quoteIdentifier(database)} with (force)`);
  await admin.query(`drop role if exists ${quoteIdentifier(attacker)}`);
  await admin.end();
});

/** pgq's schema in the victim database, migrated on a connection with the default path. */
async function victimDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase({ url: victimUrl });
  databases.push(db);
  return db;
}

/** Every feature of pgq once, and what came of it; throws when something did not work. */
async function exercise(pgq: Pgq, name: string): Promise<Record<string, unknown>> {
  const errors: unknown[] = [];
  const queue = new Queue<{ n: number; fail?: 'once' | 'always' }>(pgq, name);
  await queue.create({ maxAttempts: 2, leaseMs: 30_000, completedRetentionMs: 3_600_000 });
  const produced = await queue.enqueueMany(
    Array.from({ length: 20 }, (_, n) => ({
      n,
      ...(n % 5 === 1 ? { fail: 'once' as const } : {}),
    })),
  );
  await queue.enqueue({ n: 100, fail: 'always' });
  await queue.enqueue({ n: 101 }, { durable: false, priority: 5 });
  const unique = await queue.enqueue({ n: 102 }, { uniqueKey: 'one' });
  expect((await queue.enqueue({ n: 103 }, { uniqueKey: 'one' })).id).toBe(unique.id);
  await queue.enqueue({ n: 104 }, { delayMs: 50 });
  const tx = await pgq.pool.connect();
  try {
    await tx.query('begin');
    await queue.enqueue({ n: 105 }, { tx });
    await tx.query('commit');
  } finally {
    tx.release();
  }
  // A lease that runs out: the worker's rescue takes the job back.
  const { id: abandonedId } = await queue.enqueue({ n: 106 }, { priority: 10 });
  const abandoned = await queue.dequeue({ leaseMs: 100 });
  expect(abandoned?.id).toBe(abandonedId);
  await queue.extendLease(abandoned!, 200);
  const waited = queue.waitFor(produced[0]!.id, { timeoutMs: 30_000 });
  const seen = new Set<number>();
  const worker = new Worker(
    pgq,
    queue,
    async (job) => {
      if (job.payload.fail === 'always' || (job.payload.fail === 'once' && job.attempts === 1)) {
        throw new Error('planned failure');
      }
      seen.add(job.payload.n);
      return { doubled: job.payload.n * 2 };
    },
    { concurrency: 4, pollIntervalMs: 200, retry: { baseMs: 10, jitter: false } },
  );
  worker.on('error', (error) => errors.push(error));
  await worker.start();
  try {
    expect(await waited).toEqual({ doubled: 0 });
    await waitUntil(async () => seen.size === 25 && (await queue.stats()).dead === 1, {
      timeoutMs: 30_000,
      message: async () => `ran ${[...seen].sort()} with ${JSON.stringify(await queue.stats())}`,
    });
  } finally {
    await worker.stop();
  }
  const [dead] = await queue.list({ state: 'dead' });
  expect(await queue.retry(dead!.id)).toBe(true);
  expect(await queue.cancel(dead!.id)).toBe(true);
  expect((await queue.get(produced[1]!.id))?.result).toEqual({ doubled: 2 });
  const handEnqueued = await queue.enqueueMany([{ n: 200 }, { n: 201 }]);
  const claimed = await queue.dequeueMany(2);
  await queue.completeMany(claimed.map((job) => ({ job, result: { by: 'hand' } })));
  expect(claimed.map((job) => job.id).sort()).toEqual(handEnqueued.map((job) => job.id).sort());
  await queue.enqueue({ n: 300 });
  const failing = await queue.dequeue();
  await queue.fail(failing!, new Error('by hand'), { dead: true });
  await queue.enqueue({ n: 301 });
  expect(await queue.purge()).toBe(1);
  const stats = await queue.stats();
  await queue.cleanArchive();

  const scheduler = new Scheduler(pgq);
  await scheduler.set(`${name}-tick`, { cron: '* * * * * *', queue: name, payload: { n: 400 } });
  const ticker = new Worker(pgq, queue, async () => {}, { pollIntervalMs: 200 });
  await scheduler.start();
  await ticker.start();
  try {
    await waitUntil(async () => (await queue.stats()).completed > stats.completed, {
      timeoutMs: 10_000,
    });
  } finally {
    await scheduler.stop();
    await ticker.stop();
  }
  await scheduler.list();
  await scheduler.remove(`${name}-tick`);

  const cache = new Cache(pgq, { namespace: name, sweepIntervalMs: 100, maxEntries: 100 });
  await cache.set('a', { v: 1 }, 300);
  await cache.set('gone', { v: 0 }, 0.05);
  await cache.setMany([
    ['b', { v: 2 }],
    ['c', Buffer.from('bytes')],
  ]);
  const [a, many, loaded] = await Promise.all([
    cache.get('a'),
    cache.getMany(['a', 'b', 'missing']),
    cache.getOrSet('d', 300, () => ({ v: 4 })),
  ]);
  expect(a).toEqual({ v: 1 });
  expect([...many.keys()].sort()).toEqual(['a', 'b']);
  expect(loaded).toEqual({ v: 4 });
  expect(await cache.has('c')).toBe(true);
  expect(await cache.ttl('a')).toBeGreaterThan(0);
  await cache.start();
  await waitUntil(async () => (await cache.stats()).expired === 0 && !(await cache.has('gone')));
  await cache.stop();
  expect(await cache.delete('b')).toBe(true);
  await cache.clear();

  const bus = new PubSub(pgq);
  const received: unknown[] = [];
  await bus.subscribe(`${name}.>`, (message) => {
    received.push(message.payload);
  });
  const big = 'x'.repeat(20_000);
  await bus.publish(`${name}.small`, { hello: 1 });
  await bus.publish(`${name}.big`, { big });
  await waitUntil(() => received.length === 2, { timeoutMs: 10_000 });
  expect(received).toEqual([{ hello: 1 }, { big }]);
  await bus.close();

  const server = new RpcServer<{ n: number }, { n: number }>(pgq, `${name}_rpc`, (request) => ({
    n: request.n + 1,
  }));
  server.on('error', (error) => errors.push(error));
  await server.start();
  const client = new RpcClient(pgq, { timeoutMs: 20_000 });
  try {
    expect(await client.call(`${name}_rpc`, { n: 1 })).toEqual({ n: 2 });
  } finally {
    await client.close();
    await server.stop();
  }

  const report = await health(pgq);
  expect((await verify(pgq)).ok).toBe(true);
  await queue.delete();
  expect(errors).toEqual([]);
  return { jobs: seen.size, completed: stats.completed, notifyQueueUsage: report.notifyQueueUsage };
}

/** Each twin that ran, once, with the start of the statement that called it. */
async function hijacks(): Promise<string[]> {
  const calls = await hostile.calls();
  const seen = calls.map(
    (call) =>
      `${call.signature} as ${call.runAs} in: ${call.query.replace(/\s+/g, ' ').slice(0, 160)}`,
  );
  return [...new Set(seen)];
}

it('plants its twins, and they do take over a call that needs a cast', async () => {
  // The test's own proof that the planted set bites: the two operators, called the
  // way pgq called them, run the attacker's code.
  const probe = new pg.Client({ connectionString: victimUrl });
  await probe.connect();
  try {
    await probe.query(`select 5::int * interval '1 millisecond', extract(epoch from now()) * 1000`);
    await probe.query(`select pg_catalog.count(*) from unnest($1::text[])`, [['a']]);
  } finally {
    await probe.end();
  }
  const calls = (await hostile.calls()).map((call) => call.signature);
  expect(calls).toEqual(
    expect.arrayContaining([
      'operator *(integer, interval)',
      'operator *(numeric, integer)',
      'function unnest(text[])',
    ]),
  );
  expect(hostile.planted).toBeGreaterThan(1_000);
  await hostile.reset();
});

it("pgq's own pool: migrate, queue, scheduler, cache, pub/sub, RPC and health call none of them", async () => {
  const db = await victimDatabase();
  const outcome = await exercise(db.pgq, 'own_pool');
  figures.ownPool = JSON.stringify(outcome);
  figures.ownPoolHijacks = (await hostile.calls()).length;
  expect(await hijacks()).toEqual([]);
}, 120_000);

it('through PgBouncer in transaction mode, on a pool the app made: none of them either', async () => {
  const db = await victimDatabase();
  bouncer = await startPgBouncer({ databaseUrl: victimUrl });
  const pool = new pg.Pool({ connectionString: bouncer.url, max: 8 });
  const pgq = connect({
    pool,
    schema: db.schema,
    listenerConnectionString: victimUrl,
    preparedStatements: false,
  });
  try {
    // The session's path, as PgBouncer hands it over: public, with the twins in it.
    const [shown] = await pgq.query<{ search_path: string }>('show search_path');
    expect(shown?.search_path).toContain('public');
    const outcome = await exercise(pgq, 'app_pool');
    figures.bouncer = JSON.stringify(outcome);
  } finally {
    await pgq.close();
    await pool.end();
  }
  figures.bouncerHijacks = (await hostile.calls()).length;
  expect(await hijacks()).toEqual([]);
}, 120_000);
