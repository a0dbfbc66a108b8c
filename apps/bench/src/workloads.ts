/** The workloads of issue 11, by id. */
export type WorkloadId = 'W1' | 'W2' | 'W3' | 'W4' | 'P1' | 'C1' | 'R1';

/** Which capability of a system a workload needs. */
export type WorkloadKind = 'queue' | 'pubsub' | 'cache' | 'rpc';

/** How big a workload is in one mode. */
export interface WorkloadSize {
  /** Jobs, messages, cache keys or calls in the timed phase. */
  count: number;
  /** Concurrent callers or messages in flight. */
  concurrency: number;
  /** Jobs per `enqueueMany` call (W1, and W3's untimed preload). */
  chunkSize: number;
  /** Spacing of sends (W4). */
  intervalMs: number;
}

/** One number a workload reports. */
export interface MetricDefinition {
  key: string;
  label: string;
  unit: '/s' | 'ms';
  better: 'higher' | 'lower';
  /** Shown in the summary table and the chart (ratios of every metric are in the JSON). */
  headline: boolean;
}

/** A workload: what it does, how big, what it reports. */
export interface WorkloadDefinition {
  id: WorkloadId;
  title: string;
  kind: WorkloadKind;
  full: WorkloadSize;
  quick: WorkloadSize;
  /** Hard limit for one system's child process, setup included. */
  timeoutMs: { full: number; quick: number };
  metrics: readonly MetricDefinition[];
  describe(size: WorkloadSize): string;
}

const perSecond = (key: string, label: string, headline = true): MetricDefinition => ({
  key,
  label,
  unit: '/s',
  better: 'higher',
  headline,
});
const milliseconds = (key: string, label: string, headline = true): MetricDefinition => ({
  key,
  label,
  unit: 'ms',
  better: 'lower',
  headline,
});
const size = (count: number, concurrency = 16, chunkSize = 1_000, intervalMs = 10) => ({
  count,
  concurrency,
  chunkSize,
  intervalMs,
});
const count = (value: number) => value.toLocaleString('en-US');

/**
 * Every workload, in the order they run.
 *
 * @example
 * ```ts
 * const drain = workloads.find((workload) => workload.id === 'W3')!;
 * drain.describe(drain.full); // '100,000 pre-loaded jobs, no-op handler, …'
 * ```
 */
export const workloads: readonly WorkloadDefinition[] = [
  {
    id: 'W1',
    title: 'batch enqueue',
    kind: 'queue',
    full: size(20_000),
    quick: size(10_000),
    timeoutMs: { full: 180_000, quick: 60_000 },
    metrics: [perSecond('jobsPerSecond', 'jobs/s')],
    describe: (s) =>
      `${count(s.count)} jobs in chunks of ${count(s.chunkSize)}, one caller, ~100-byte JSON`,
  },
  {
    id: 'W2',
    title: 'single enqueue',
    kind: 'queue',
    full: size(5_000),
    quick: size(3_000),
    timeoutMs: { full: 180_000, quick: 60_000 },
    metrics: [
      perSecond('jobsPerSecond', 'jobs/s'),
      milliseconds('p50Ms', 'call p50 ms', false),
      milliseconds('p99Ms', 'call p99 ms', false),
    ],
    describe: (s) => `${count(s.count)} jobs, one call each, ${s.concurrency} concurrent callers`,
  },
  {
    id: 'W3',
    title: 'drain',
    kind: 'queue',
    full: size(100_000),
    quick: size(30_000),
    timeoutMs: { full: 420_000, quick: 120_000 },
    metrics: [
      perSecond('jobsPerSecond', 'jobs/s (durable)'),
      perSecond('handledPerSecond', 'jobs/s (handlers ran)', false),
    ],
    describe: (s) =>
      `${count(s.count)} pre-loaded jobs, no-op handler, concurrency ${s.concurrency}; the clock stops when every completion is durable`,
  },
  {
    id: 'W4',
    title: 'pickup latency',
    kind: 'queue',
    full: size(500),
    quick: size(300),
    timeoutMs: { full: 120_000, quick: 60_000 },
    metrics: [
      milliseconds('p50Ms', 'p50 ms'),
      milliseconds('p95Ms', 'p95 ms', false),
      milliseconds('p99Ms', 'p99 ms'),
    ],
    describe: (s) =>
      `idle workers, ${count(s.count)} jobs one every ${s.intervalMs} ms, enqueue-call start → handler start`,
  },
  {
    id: 'P1',
    title: 'pub/sub',
    kind: 'pubsub',
    full: size(10_000),
    quick: size(5_000),
    timeoutMs: { full: 120_000, quick: 60_000 },
    metrics: [
      perSecond('messagesPerSecond', 'msgs/s'),
      milliseconds('p50Ms', 'p50 ms'),
      milliseconds('p99Ms', 'p99 ms', false),
    ],
    describe: (s) =>
      `${count(s.count)} messages, ${s.concurrency} in flight, publish-call start → delivery`,
  },
  {
    id: 'C1',
    title: 'cache',
    kind: 'cache',
    full: size(10_000),
    quick: size(5_000),
    timeoutMs: { full: 120_000, quick: 60_000 },
    metrics: [
      perSecond('setsPerSecond', 'sets/s'),
      perSecond('getsPerSecond', 'gets/s'),
      milliseconds('setP50Ms', 'set p50 ms', false),
      milliseconds('getP50Ms', 'get p50 ms', false),
    ],
    describe: (s) =>
      `${count(s.count)} sets then ${count(s.count)} gets, ${s.concurrency} concurrent callers, TTL 300 s`,
  },
  {
    id: 'R1',
    title: 'RPC',
    kind: 'rpc',
    full: size(5_000),
    quick: size(2_000),
    timeoutMs: { full: 120_000, quick: 60_000 },
    metrics: [
      perSecond('callsPerSecond', 'calls/s'),
      milliseconds('p50Ms', 'p50 ms'),
      milliseconds('p99Ms', 'p99 ms'),
    ],
    describe: (s) => `${count(s.count)} calls, ${s.concurrency} in flight, round trip`,
  },
];

/** The workload with this id. */
export function workloadById(id: WorkloadId): WorkloadDefinition {
  const workload = workloads.find((candidate) => candidate.id === id);
  if (!workload) throw new Error(`Unknown workload ${id}`);
  return workload;
}
