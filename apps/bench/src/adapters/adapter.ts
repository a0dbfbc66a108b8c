import type { BenchPayload } from '../payload.js';

/** Where a system's child process connects. */
export interface StoreContext {
  databaseUrl: string;
  /** Undefined when Redis did not answer: Redis systems are then skipped, never opened. */
  redisUrl: string | undefined;
}

/**
 * A job queue as the W1–W4 workloads drive it. `open` installs the system into the freshly
 * reset store and creates the queue; nothing runs until `startWorkers`.
 *
 * @example
 * ```ts
 * const queue = await adapter.openQueue!(context);
 * await queue.enqueueMany(makePayloads(1_000));
 * await queue.startWorkers(() => {});
 * ```
 */
export interface QueueDriver {
  /** One call that enqueues every payload (the system's batch API). */
  enqueueMany(payloads: readonly BenchPayload[]): Promise<void>;
  /** One call that enqueues one payload. */
  enqueue(payload: BenchPayload): Promise<void>;
  /** Starts workers with concurrency 16; `handler` runs once per job, at handler start. */
  startWorkers(handler: (payload: BenchPayload) => void): Promise<void>;
  /** Jobs whose completion the store holds durably (read from the store, not from memory). */
  finishedCount(): Promise<number>;
  close(): Promise<void>;
}

/** Pub/sub as P1 drives it: one subscriber and the publisher in one process. */
export interface PubSubDriver {
  /** Resolves once a message published afterwards is delivered to `handler`. */
  subscribe(handler: (payload: BenchPayload) => void): Promise<void>;
  publish(payload: BenchPayload): Promise<void>;
  close(): Promise<void>;
}

/** A cache as C1 drives it. */
export interface CacheDriver {
  set(key: string, value: BenchPayload): Promise<void>;
  get(key: string): Promise<BenchPayload | undefined>;
  close(): Promise<void>;
}

/** RPC as R1 drives it: `open` starts the server (concurrency 16) in the same process. */
export interface RpcDriver {
  call(request: BenchPayload): Promise<BenchPayload>;
  close(): Promise<void>;
}

/**
 * One system under test. Each capability it has is a function that opens a driver on a
 * reset store; a workload runs only on the systems that have its capability.
 *
 * @example
 * ```ts
 * export const redisAdapter: SystemAdapter = { openPubSub, openCache };
 * ```
 */
export interface SystemAdapter {
  openQueue?(context: StoreContext): Promise<QueueDriver>;
  openPubSub?(context: StoreContext): Promise<PubSubDriver>;
  openCache?(context: StoreContext): Promise<CacheDriver>;
  openRpc?(context: StoreContext): Promise<RpcDriver>;
}
