/**
 * The tuning every adapter uses, in one place so that what the report prints is what ran.
 * Peers get their own published high-throughput settings; pgq gets the same concurrency.
 *
 * @example
 * ```ts
 * new Worker(pgq, queueName, handler, { concurrency: settings.concurrency });
 * ```
 */
export const settings = {
  /** Handlers running at once per worker process (every queue system). */
  concurrency: 16,
  /** pgq's claim-ahead for short jobs (its README's throughput setting; like graphile's local queue). */
  prefetch: 500,
  /** Connections per PostgreSQL pool (every PostgreSQL system), enough for 16 callers. */
  poolSize: 20,
  /** TTL of every cache entry, seconds (pgq, raw pg, Redis). */
  cacheTtlSeconds: 300,
  pgBoss: {
    /** pg-boss 10 runs one fetch loop per `work()` call: 16 calls make 16 workers. */
    workers: 16,
    batchSize: 100,
    /** pg-boss's minimum; it does not LISTEN, so this bounds its pickup latency. */
    pollingIntervalSeconds: 0.5,
  },
  graphileWorker: {
    localQueueSize: 500,
    completeJobBatchDelay: 0,
    failJobBatchDelay: 0,
  },
} as const;

/** The schemas the bench owns; the reset drops exactly these and nothing else. */
export const benchSchemas = {
  pgq: 'bench_pgq',
  pgBoss: 'bench_pgboss',
  graphileWorker: 'bench_graphile_worker',
  rawPg: 'bench_raw',
} as const;

/** The queue (or task, channel, method) name every system uses. */
export const benchQueueName = 'bench';
