import type { CacheDriver, PubSubDriver, RpcDriver } from '../adapters/adapter.js';
import { makePayloads } from '../payload.js';
import { latencySummary } from '../statistics.js';
import { rate, runLanes } from './lanes.js';
import type { RunnerContext, RunnerResult } from './runner.js';

const warmUpCount = 200;
const deliveryTimeoutMs = 15_000;

/**
 * P1: `count` messages with `concurrency` in flight: each lane publishes, waits for the
 * subscriber (same process) to receive it, then publishes the next.
 *
 * @example
 * ```ts
 * const { metrics } = await runPubSub(pubsub, { size, beforeTimedPhase });
 * ```
 */
export async function runPubSub(
  pubsub: PubSubDriver,
  { size, beforeTimedPhase }: RunnerContext,
): Promise<RunnerResult> {
  const total = size.count + warmUpCount;
  const payloads = makePayloads(total);
  const waiting = new Array<(() => void) | undefined>(total).fill(undefined);
  await pubsub.subscribe((payload) => {
    const deliver = waiting[payload.index];
    waiting[payload.index] = undefined;
    deliver?.();
  });
  const sendAndAwait = async (index: number) => {
    let timer: NodeJS.Timeout | undefined;
    const delivered = new Promise<void>((resolve, reject) => {
      waiting[index] = resolve;
      timer = setTimeout(
        () => reject(new Error(`message ${index} not delivered within ${deliveryTimeoutMs} ms`)),
        deliveryTimeoutMs,
      );
    });
    try {
      await pubsub.publish(payloads[index]!);
      await delivered;
    } finally {
      clearTimeout(timer);
    }
  };
  await runLanes(warmUpCount, size.concurrency, (index) => sendAndAwait(size.count + index));
  await beforeTimedPhase();
  const { elapsedMs, latenciesMs } = await runLanes(size.count, size.concurrency, sendAndAwait);
  const { p50, p99 } = latencySummary(latenciesMs);
  return {
    metrics: { messagesPerSecond: rate(size.count, elapsedMs), p50Ms: p50, p99Ms: p99 },
    notes: [],
  };
}

/**
 * C1: `count` sets, then `count` gets of the same keys, from `concurrency` callers.
 *
 * @example
 * ```ts
 * const { metrics } = await runCache(cache, { size, beforeTimedPhase });
 * ```
 */
export async function runCache(
  cache: CacheDriver,
  { size, beforeTimedPhase }: RunnerContext,
): Promise<RunnerResult> {
  const payloads = makePayloads(size.count);
  const warmUp = makePayloads(warmUpCount, size.count);
  await runLanes(warmUpCount, size.concurrency, async (index) => {
    await cache.set(`warm:${index}`, warmUp[index]!);
    await cache.get(`warm:${index}`);
  });
  await beforeTimedPhase();
  const sets = await runLanes(size.count, size.concurrency, (index) =>
    cache.set(`key:${index}`, payloads[index]!),
  );
  await beforeTimedPhase();
  let misses = 0;
  const gets = await runLanes(size.count, size.concurrency, async (index) => {
    const value = await cache.get(`key:${index}`);
    if (value?.index !== index) misses += 1;
  });
  if (misses > 0) throw new Error(`${misses} of ${size.count} gets missed a value just set`);
  return {
    metrics: {
      setsPerSecond: rate(size.count, sets.elapsedMs),
      getsPerSecond: rate(size.count, gets.elapsedMs),
      setP50Ms: latencySummary(sets.latenciesMs).p50,
      getP50Ms: latencySummary(gets.latenciesMs).p50,
    },
    notes: [],
  };
}

/**
 * R1: `count` calls with `concurrency` in flight against a server in the same process.
 *
 * @example
 * ```ts
 * const { metrics } = await runRpc(rpc, { size, beforeTimedPhase });
 * ```
 */
export async function runRpc(
  rpc: RpcDriver,
  { size, beforeTimedPhase }: RunnerContext,
): Promise<RunnerResult> {
  const payloads = makePayloads(size.count + warmUpCount);
  const callAndCheck = async (index: number) => {
    const response = await rpc.call(payloads[index]!);
    if (response.index !== index)
      throw new Error(`call ${index} got the reply of ${response.index}`);
  };
  await runLanes(warmUpCount, size.concurrency, (index) => callAndCheck(size.count + index));
  await beforeTimedPhase();
  const { elapsedMs, latenciesMs } = await runLanes(size.count, size.concurrency, callAndCheck);
  const { p50, p99 } = latencySummary(latenciesMs);
  return {
    metrics: { callsPerSecond: rate(size.count, elapsedMs), p50Ms: p50, p99Ms: p99 },
    notes: [],
  };
}
