import pg from 'pg';
import type { BenchPayload } from '../payload.js';
import { benchQueueName, benchSchemas, settings } from '../settings.js';
import type { CacheDriver, PubSubDriver, StoreContext, SystemAdapter } from './adapter.js';

const schema = pg.escapeIdentifier(benchSchemas.rawPg);
const channel = `${benchSchemas.rawPg}_${benchQueueName}`;

// The baseline a hand-written app would use: named (prepared) statements on a pool.
const notifyStatement = { name: 'bench_notify', text: 'select pg_notify($1, $2)' };
const setStatement = {
  name: 'bench_cache_set',
  text: `insert into ${schema}.cache (key, value, expires_at)
         values ($1, $2, now() + make_interval(secs => $3))
         on conflict (key) do update set value = excluded.value, expires_at = excluded.expires_at`,
};
const getStatement = {
  name: 'bench_cache_get',
  text: `select value from ${schema}.cache
         where key = $1 and (expires_at is null or expires_at > now())`,
};

class RawPubSub implements PubSubDriver {
  readonly #pool: pg.Pool;
  readonly #listener: pg.Client;

  constructor(pool: pg.Pool, listener: pg.Client) {
    this.#pool = pool;
    this.#listener = listener;
  }

  async subscribe(handler: (payload: BenchPayload) => void): Promise<void> {
    this.#listener.on('notification', (message) => {
      if (message.channel === channel && message.payload)
        handler(JSON.parse(message.payload) as BenchPayload);
    });
    await this.#listener.query(`listen ${pg.escapeIdentifier(channel)}`);
  }

  async publish(payload: BenchPayload): Promise<void> {
    await this.#pool.query({ ...notifyStatement, values: [channel, JSON.stringify(payload)] });
  }

  async close(): Promise<void> {
    await this.#listener.end();
    await this.#pool.end();
  }
}

class RawCache implements CacheDriver {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async set(key: string, value: BenchPayload): Promise<void> {
    await this.#pool.query({
      ...setStatement,
      values: [key, JSON.stringify(value), settings.cacheTtlSeconds],
    });
  }

  async get(key: string): Promise<BenchPayload | undefined> {
    const { rows } = await this.#pool.query<{ value: BenchPayload }>({
      ...getStatement,
      values: [key],
    });
    return rows[0]?.value;
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}

/** Plain `pg`: NOTIFY/LISTEN for P1 and an UNLOGGED upsert table for C1, the floor pgq builds on. */
export const rawPgAdapter: SystemAdapter = {
  async openPubSub({ databaseUrl }: StoreContext): Promise<PubSubDriver> {
    const listener = new pg.Client({ connectionString: databaseUrl });
    await listener.connect();
    const pool = new pg.Pool({ connectionString: databaseUrl, max: settings.poolSize });
    return new RawPubSub(pool, listener);
  },

  async openCache({ databaseUrl }: StoreContext): Promise<CacheDriver> {
    const pool = new pg.Pool({ connectionString: databaseUrl, max: settings.poolSize });
    await pool.query(`create schema if not exists ${schema}`);
    await pool.query(
      `create unlogged table ${schema}.cache (
         key text primary key,
         value jsonb not null,
         expires_at timestamptz
       )`,
    );
    return new RawCache(pool);
  },
};
