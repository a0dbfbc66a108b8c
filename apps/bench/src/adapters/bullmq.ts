import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { BenchPayload } from '../payload.js';
import { benchQueueName, settings } from '../settings.js';
import type { QueueDriver, StoreContext, SystemAdapter } from './adapter.js';

class BullmqQueue implements QueueDriver {
  readonly #redisUrl: string;
  readonly #queue: Queue<BenchPayload>;
  readonly #connections: Redis[] = [];
  #worker: Worker<BenchPayload> | undefined;

  constructor(redisUrl: string) {
    this.#redisUrl = redisUrl;
    this.#queue = new Queue<BenchPayload>(benchQueueName, { connection: this.#connect() });
  }

  // BullMQ's workers block on their connection: it wants maxRetriesPerRequest null.
  #connect(): Redis {
    const connection = new Redis(this.#redisUrl, { maxRetriesPerRequest: null });
    this.#connections.push(connection);
    return connection;
  }

  async enqueueMany(payloads: readonly BenchPayload[]): Promise<void> {
    await this.#queue.addBulk(payloads.map((data) => ({ name: benchQueueName, data })));
  }

  async enqueue(payload: BenchPayload): Promise<void> {
    await this.#queue.add(benchQueueName, payload);
  }

  async startWorkers(handler: (payload: BenchPayload) => void): Promise<void> {
    this.#worker = new Worker<BenchPayload>(
      benchQueueName,
      async (job) => {
        handler(job.data);
      },
      { connection: this.#connect(), concurrency: settings.concurrency, autorun: false },
    );
    this.#worker.on('error', (error) => console.error(`BullMQ worker: ${error.message}`));
    void this.#worker.run();
    await this.#worker.waitUntilReady();
  }

  async finishedCount(): Promise<number> {
    return this.#queue.getCompletedCount();
  }

  async close(): Promise<void> {
    await this.#worker?.close(true);
    await this.#queue.close();
    for (const connection of this.#connections) connection.disconnect();
  }
}

/** BullMQ 5 on Redis, Worker concurrency 16. */
export const bullmqAdapter: SystemAdapter = {
  async openQueue({ redisUrl }: StoreContext): Promise<QueueDriver> {
    if (!redisUrl) throw new Error('BullMQ needs Redis');
    const queue = new BullmqQueue(redisUrl);
    return queue;
  },
};
