import { Redis } from 'ioredis';
import pg from 'pg';
import { benchSchemas } from './settings.js';

/** The default Redis: DB 15, so the FLUSHDB of every reset leaves DB 0 alone. */
export const defaultRedisUrl = 'redis://127.0.0.1:6379/15';

/**
 * Runs `work` on one short-lived client (not a pool: the bench leaves nothing open).
 *
 * @example
 * ```ts
 * const version = await withClient(url, (client) => client.query('show server_version'));
 * ```
 */
export async function withClient<T>(
  databaseUrl: string,
  work: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Drops every schema the bench owns (and only those) and flushes the bench's Redis DB, so
 * the next child starts from an empty store.
 */
export async function resetStores(
  databaseUrl: string,
  redisUrl: string | undefined,
): Promise<void> {
  await withClient(databaseUrl, async (client) => {
    for (const schema of Object.values(benchSchemas)) {
      await client.query(`drop schema if exists ${pg.escapeIdentifier(schema)} cascade`);
    }
  });
  if (redisUrl) {
    const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      await redis.flushdb();
    } finally {
      redis.disconnect();
    }
  }
}

/**
 * Flushes dirty pages before a timed phase, so one system's leftover writes are not
 * written back during the next one's measurement. Needs superuser or `pg_checkpoint`.
 */
export async function checkpoint(databaseUrl: string): Promise<void> {
  await withClient(databaseUrl, (client) => client.query('checkpoint'));
}

/** True when Redis answers PING at `redisUrl` within two seconds. */
export async function redisAnswers(redisUrl: string): Promise<boolean> {
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}
