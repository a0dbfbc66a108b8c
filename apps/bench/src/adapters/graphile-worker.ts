import {
  Logger,
  makeWorkerUtils,
  type Runner,
  run,
  type TaskList,
  type WorkerUtils,
} from 'graphile-worker';
import pg from 'pg';
import type { BenchPayload } from '../payload.js';
import { benchQueueName, benchSchemas, settings } from '../settings.js';
import type { QueueDriver, StoreContext, SystemAdapter } from './adapter.js';

const schema = benchSchemas.graphileWorker;
// Errors only: its info lines would flood the bench's output.
const logger = new Logger(() => (level, message) => {
  if (level === 'error') console.error(`graphile-worker: ${message}`);
});

class GraphileWorkerQueue implements QueueDriver {
  readonly #pool: pg.Pool;
  readonly #utils: WorkerUtils;
  #runner: Runner | undefined;
  #enqueued = 0;

  constructor(pool: pg.Pool, utils: WorkerUtils) {
    this.#pool = pool;
    this.#utils = utils;
  }

  async enqueueMany(payloads: readonly BenchPayload[]): Promise<void> {
    await this.#utils.addJobs(payloads.map((payload) => ({ identifier: benchQueueName, payload })));
    this.#enqueued += payloads.length;
  }

  async enqueue(payload: BenchPayload): Promise<void> {
    this.#enqueued += 1;
    await this.#utils.addJob(benchQueueName, payload);
  }

  async startWorkers(handler: (payload: BenchPayload) => void): Promise<void> {
    const taskList: TaskList = {
      [benchQueueName]: async (payload) => handler(payload as BenchPayload),
    };
    this.#runner = await run({
      pgPool: this.#pool,
      schema,
      logger,
      concurrency: settings.concurrency,
      noHandleSignals: true,
      taskList,
      preset: {
        worker: {
          localQueue: { size: settings.graphileWorker.localQueueSize },
          completeJobBatchDelay: settings.graphileWorker.completeJobBatchDelay,
          failJobBatchDelay: settings.graphileWorker.failJobBatchDelay,
        },
      },
    });
  }

  // graphile-worker deletes a job when it completes: finished = enqueued − still in the table.
  async finishedCount(): Promise<number> {
    const { rows } = await this.#pool.query<{ count: string }>(
      `select count(*) as count from ${pg.escapeIdentifier(schema)}._private_jobs`,
    );
    return this.#enqueued - Number(rows[0]!.count);
  }

  async close(): Promise<void> {
    await this.#runner?.stop();
    await this.#utils.release();
    await this.#pool.end();
  }
}

/** graphile-worker 0.17 with its documented batching settings (see settings.ts). */
export const graphileWorkerAdapter: SystemAdapter = {
  async openQueue({ databaseUrl }: StoreContext): Promise<QueueDriver> {
    const pool = new pg.Pool({ connectionString: databaseUrl, max: settings.poolSize });
    const utils = await makeWorkerUtils({ pgPool: pool, schema, logger });
    await utils.migrate();
    return new GraphileWorkerQueue(pool, utils);
  },
};
