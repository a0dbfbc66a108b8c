/**
 * get/set throughput of @pgq/cache against Redis on the same machine, in one run:
 * 16 concurrent callers, 10 000 sets (TTL 300 s) then 10 000 gets of ~130-byte JSON values.
 *
 *   node --import tsx --conditions=@pgq/source packages/cache/bench/cache-vs-redis.ts
 *
 * Env: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres), REDIS_URL
 * (default redis://127.0.0.1:6379), BENCH_OPS (10000), BENCH_CONCURRENCY (16).
 * It installs pgq into a throwaway schema and drops it at the end.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { connect, quoteIdentifier } from '@pgq/core';
import { quoteLiteral } from '@pgq/core/internal';
import { Cache } from '../src/index.js';
import { RespClient } from './resp-client.js';

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const operations = Number(process.env.BENCH_OPS ?? 10_000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
const ttlSeconds = 300;

const keyOf = (index: number) => `user:${index}:profile`;
const profileOf = (index: number) => ({
  id: index,
  name: `User ${index}`,
  email: `user${index}@example.com`,
  roles: ['reader', 'writer'],
  updatedAt: '2025-01-01T00:00:00.000Z',
});

/** Runs `operation(index)` for indexes 0..count-1 on `concurrency` callers; returns ops/s. */
async function measure(count: number, operation: (index: number) => Promise<unknown>) {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let index = next++; index < count; index = next++) await operation(index);
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

// @pgq/migrate embeds its .sql files at build time, so under the source condition the
// benchmark applies the files itself, as `psql -v schema=... -f` would.
async function install(pgq: ReturnType<typeof connect>): Promise<void> {
  const folder = new URL('../../migrate/sql/', import.meta.url);
  for (const file of readdirSync(folder)
    .filter((name) => name.endsWith('.sql'))
    .sort()) {
    const sql = readFileSync(new URL(file, folder), 'utf8')
      .replaceAll(':"schema"', quoteIdentifier(pgq.schema))
      .replaceAll(":'schema'", quoteLiteral(pgq.schema));
    await pgq.pool.query(sql);
  }
}

async function benchPgq() {
  const pgq = connect({
    connectionString: databaseUrl,
    schema: `bench_${randomBytes(4).toString('hex')}`,
    max: concurrency,
  });
  try {
    await install(pgq);
    const cache = new Cache(pgq, { namespace: 'bench' });
    await measure(1000, (index) => cache.set(`warm:${index}`, profileOf(index), ttlSeconds));
    await measure(1000, (index) => cache.get(`warm:${index}`));
    const set = await measure(operations, (index) =>
      cache.set(keyOf(index), profileOf(index), ttlSeconds),
    );
    const get = await measure(operations, async (index) => {
      if ((await cache.get(keyOf(index))) === undefined) throw new Error('pgq: missing value');
    });
    return { set, get };
  } finally {
    await pgq.pool.query(`drop schema if exists ${pgq.quotedSchema} cascade`);
    await pgq.close();
  }
}

async function benchRedis() {
  const port = Number(redisUrl.port || 6379);
  // Each caller owns one connection, as each pgq caller holds one pool client per statement.
  const callers = await Promise.all(
    Array.from({ length: concurrency }, () => RespClient.open(port, redisUrl.hostname)),
  );
  const prefix = `pgq-bench:${randomBytes(4).toString('hex')}:`;
  const run = async (
    count: number,
    operation: (client: RespClient, index: number) => Promise<unknown>,
  ) => {
    let next = 0;
    const started = performance.now();
    await Promise.all(
      callers.map(async (client) => {
        for (let index = next++; index < count; index = next++) await operation(client, index);
      }),
    );
    return count / ((performance.now() - started) / 1000);
  };
  try {
    await run(1000, (client, index) =>
      client.command('SET', `${prefix}warm:${index}`, JSON.stringify(profileOf(index)), 'EX', '60'),
    );
    await run(1000, (client, index) => client.command('GET', `${prefix}warm:${index}`));
    const set = await run(operations, (client, index) =>
      client.command(
        'SET',
        prefix + keyOf(index),
        JSON.stringify(profileOf(index)),
        'EX',
        String(ttlSeconds),
      ),
    );
    const get = await run(operations, async (client, index) => {
      const reply = await client.command('GET', prefix + keyOf(index));
      if (reply === null) throw new Error('redis: missing value');
      JSON.parse(reply);
    });
    return { set, get };
  } finally {
    // Leave the Redis as we found it.
    for (let index = 0; index < operations; index += 500) {
      const batch = Array.from({ length: Math.min(500, operations - index) }, (_, offset) => [
        prefix + keyOf(index + offset),
        `${prefix}warm:${(index + offset) % 1000}`,
      ]).flat();
      await callers[0]!.command('DEL', ...batch);
    }
    for (const client of callers) client.close();
  }
}

const pgqResult = await benchPgq();
const redisResult = await benchRedis();
const format = (value: number) => Math.round(value).toLocaleString('en-US').padStart(9);
console.log(`${operations} ops per phase, ${concurrency} concurrent callers\n`);
console.log('            set ops/s   get ops/s');
console.log(`pgq cache   ${format(pgqResult.set)}   ${format(pgqResult.get)}`);
console.log(`redis       ${format(redisResult.set)}   ${format(redisResult.get)}`);
console.log(
  `pgq/redis   ${(pgqResult.set / redisResult.set).toFixed(2).padStart(9)}   ${(pgqResult.get / redisResult.get).toFixed(2).padStart(9)}`,
);
