import pg from 'pg';
import PgBoss from 'pg-boss';
import type { BenchPayload } from '../payload.js';
import { benchQueueName, benchSchemas, settings } from '../settings.js';
import type { QueueDriver, StoreContext, SystemAdapter } from './adapter.js';

const schema = benchSchemas.pgBoss;

class PgBossQueue implements QueueDriver {
  readonly #boss: PgBoss;
  readonly #pool: pg.Pool;

  constructor(boss: PgBoss, pool: pg.Pool) {
    this.#boss = boss;
    this.#pool = pool;
  }

  async enqueueMany(payloads: readonly BenchPayload[]): Promise<void> {
    await this.#boss.insert(payloads.map((data) => ({ name: benchQueueName, data })));
  }

  async enqueue(payload: BenchPayload): Promise<void> {
    await this.#boss.send(benchQueueName, payload);
  }

  async startWorkers(handler: (payload: BenchPayload) => void): Promise<void> {
    const options = {
      batchSize: settings.pgBoss.batchSize,
      pollingIntervalSeconds: settings.pgBoss.pollingIntervalSeconds,
    };
    for (let worker = 0; worker < settings.pgBoss.workers; worker++) {
      await this.#boss.work<BenchPayload>(benchQueueName, options, async (jobs) => {
        for (const job of jobs) handler(job.data);
      });
    }
  }

  // pg-boss completes a batch after its handler resolves, without awaiting the write: only
  // the table says when a completion is durable. Completed jobs stay in `job` for hours.
  async finishedCount(): Promise<number> {
    const { rows } = await this.#pool.query<{ count: string }>(
      `select count(*) as count from ${pg.escapeIdentifier(schema)}.job
       where name = $1 and state = 'completed'`,
      [benchQueueName],
    );
    return Number(rows[0]!.count);
  }

  async close(): Promise<void> {
    await this.#boss.stop({ graceful: false, wait: true, timeout: 2_000 });
    await this.#pool.end();
  }
}

/** pg-boss 10 with 16 workers, batchSize 100, pollingIntervalSeconds 0.5. */
export const pgBossAdapter: SystemAdapter = {
  async openQueue({ databaseUrl }: StoreContext): Promise<QueueDriver> {
    const boss = new PgBoss({ connectionString: databaseUrl, schema, max: settings.poolSize });
    boss.on('error', (error) => console.error(`pg-boss: ${error.message}`));
    await boss.start();
    await boss.createQueue(benchQueueName);
    // The bench's own reads (finished counts) stay off pg-boss's pool.
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
    return new PgBossQueue(boss, pool);
  },
};
