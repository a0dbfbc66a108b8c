import { Cache } from '@pgq/cache';
import { connect, type Pgq } from '@pgq/core';
import { migrate } from '@pgq/migrate';
import { PubSub } from '@pgq/pubsub';
import { Queue, Worker } from '@pgq/queue';
import type { BenchPayload } from '../payload.js';
import { benchQueueName, benchSchemas, settings } from '../settings.js';
import type {
  CacheDriver,
  PubSubDriver,
  QueueDriver,
  RpcDriver,
  StoreContext,
  SystemAdapter,
} from './adapter.js';
import { openPgqRpc } from './pgq-rpc.js';

async function install(databaseUrl: string): Promise<Pgq> {
  const pgq = connect({
    connectionString: databaseUrl,
    schema: benchSchemas.pgq,
    max: settings.poolSize,
  });
  await migrate(pgq);
  return pgq;
}

class PgqQueue implements QueueDriver {
  readonly #pgq: Pgq;
  readonly #queue: Queue<BenchPayload>;
  #worker: Worker<BenchPayload> | undefined;

  constructor(pgq: Pgq) {
    this.#pgq = pgq;
    this.#queue = new Queue<BenchPayload>(pgq, benchQueueName);
  }

  async enqueueMany(payloads: readonly BenchPayload[]): Promise<void> {
    await this.#queue.enqueueMany(payloads);
  }

  async enqueue(payload: BenchPayload): Promise<void> {
    await this.#queue.enqueue(payload);
  }

  async startWorkers(handler: (payload: BenchPayload) => void): Promise<void> {
    this.#worker = new Worker<BenchPayload>(
      this.#pgq,
      benchQueueName,
      async (job) => {
        handler(job.payload);
      },
      { concurrency: settings.concurrency, prefetch: settings.prefetch },
    );
    this.#worker.on('error', (error) => console.error(`pgq worker: ${error.message}`));
    await this.#worker.start();
  }

  // A completed job leaves `jobs` for `job_archive` in the statement that completes it.
  async finishedCount(): Promise<number> {
    const rows = await this.#pgq.query<{ count: string }>(
      `select count(*) as count from ${this.#pgq.table('job_archive')}
       where queue = $1 and state = 'completed'`,
      [benchQueueName],
    );
    return Number(rows[0]!.count);
  }

  async close(): Promise<void> {
    await this.#worker?.stop({ timeoutMs: 2_000 });
    await this.#pgq.close();
  }
}

class PgqPubSub implements PubSubDriver {
  readonly #pgq: Pgq;
  readonly #bus: PubSub;

  constructor(pgq: Pgq) {
    this.#pgq = pgq;
    this.#bus = new PubSub(pgq);
  }

  async subscribe(handler: (payload: BenchPayload) => void): Promise<void> {
    await this.#bus.subscribe<BenchPayload>(benchQueueName, (message) => handler(message.payload));
  }

  publish(payload: BenchPayload): Promise<void> {
    return this.#bus.publish(benchQueueName, payload);
  }

  async close(): Promise<void> {
    await this.#bus.close();
    await this.#pgq.close();
  }
}

class PgqCache implements CacheDriver {
  readonly #pgq: Pgq;
  readonly #cache: Cache;

  constructor(pgq: Pgq) {
    this.#pgq = pgq;
    this.#cache = new Cache(pgq, { namespace: benchQueueName });
  }

  set(key: string, value: BenchPayload): Promise<void> {
    return this.#cache.set(key, value, settings.cacheTtlSeconds);
  }

  get(key: string): Promise<BenchPayload | undefined> {
    return this.#cache.get<BenchPayload>(key);
  }

  async close(): Promise<void> {
    await this.#cache.stop();
    await this.#pgq.close();
  }
}

/** pgq through its public packages only, migrated into a fresh schema per run. */
export const pgqAdapter: SystemAdapter = {
  async openQueue({ databaseUrl }: StoreContext): Promise<QueueDriver> {
    const pgq = await install(databaseUrl);
    await new Queue(pgq, benchQueueName).create();
    return new PgqQueue(pgq);
  },

  async openPubSub({ databaseUrl }: StoreContext): Promise<PubSubDriver> {
    return new PgqPubSub(await install(databaseUrl));
  },

  async openCache({ databaseUrl }: StoreContext): Promise<CacheDriver> {
    return new PgqCache(await install(databaseUrl));
  },

  async openRpc({ databaseUrl }: StoreContext): Promise<RpcDriver> {
    const server = await install(databaseUrl);
    const client = connect({
      connectionString: databaseUrl,
      schema: benchSchemas.pgq,
      max: settings.poolSize,
    });
    try {
      return await openPgqRpc(server, client);
    } catch (error) {
      await Promise.all([server.close(), client.close()]);
      throw error;
    }
  },
};
