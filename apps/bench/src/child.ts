// One system, one workload, one repetition, in a process of its own (started by run-child.ts).
import type { StoreContext, SystemAdapter } from './adapters/adapter.js';
import { type ChildMessage, type ChildRequest, requestVariable } from './child-request.js';
import { runCache, runPubSub, runRpc } from './runners/other-runners.js';
import {
  runBatchEnqueue,
  runDrain,
  runPickupLatency,
  runSingleEnqueue,
} from './runners/queue-runners.js';
import type { RunnerContext, RunnerResult } from './runners/runner.js';
import { checkpoint } from './stores.js';
import { systemByName } from './systems.js';
import type { WorkloadId } from './workloads.js';

// Closing a library cleanly is not what is measured: past this, the child just exits.
const closeTimeoutMs = 5_000;

async function run(request: ChildRequest): Promise<RunnerResult> {
  const adapter = await systemByName(request.system).load();
  const store: StoreContext = { databaseUrl: request.databaseUrl, redisUrl: request.redisUrl };
  const notes: string[] = [];
  let checkpointFailed = false;
  const context: RunnerContext = {
    size: request.size,
    async beforeTimedPhase() {
      if (checkpointFailed) return;
      try {
        await checkpoint(request.databaseUrl);
      } catch (error) {
        checkpointFailed = true;
        notes.push(`CHECKPOINT failed (${(error as Error).message}); ran without it`);
      }
    },
  };
  const result = await runWorkload(request.workload, adapter, store, context);
  return { metrics: result.metrics, notes: [...notes, ...result.notes] };
}

async function runWorkload(
  workload: WorkloadId,
  adapter: SystemAdapter,
  store: StoreContext,
  context: RunnerContext,
): Promise<RunnerResult> {
  const open = <T>(opener: ((store: StoreContext) => Promise<T>) | undefined, what: string) => {
    if (!opener) throw new Error(`this system has no ${what} adapter`);
    return opener(store);
  };
  const closing = async (driver: { close(): Promise<void> }, work: () => Promise<RunnerResult>) => {
    try {
      return await work();
    } finally {
      await Promise.race([
        driver.close().catch(() => {}),
        new Promise((resolve) => setTimeout(resolve, closeTimeoutMs).unref()),
      ]);
    }
  };
  switch (workload) {
    case 'W1':
    case 'W2':
    case 'W3':
    case 'W4': {
      const queue = await open(adapter.openQueue, 'queue');
      const runner = {
        W1: runBatchEnqueue,
        W2: runSingleEnqueue,
        W3: runDrain,
        W4: runPickupLatency,
      }[workload];
      return closing(queue, () => runner(queue, context));
    }
    case 'P1': {
      const pubsub = await open(adapter.openPubSub, 'pub/sub');
      return closing(pubsub, () => runPubSub(pubsub, context));
    }
    case 'C1': {
      const cache = await open(adapter.openCache, 'cache');
      return closing(cache, () => runCache(cache, context));
    }
    case 'R1': {
      const rpc = await open(adapter.openRpc, 'RPC');
      return closing(rpc, () => runRpc(rpc, context));
    }
  }
}

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) {
      console.log(JSON.stringify(message));
      resolve();
      return;
    }
    process.send(message, undefined, {}, () => resolve());
  });
}

const raw = process.env[requestVariable];
if (!raw) {
  console.error(`child.ts is started by the bench: ${requestVariable} is missing`);
  process.exit(2);
}
try {
  const result = await run(JSON.parse(raw) as ChildRequest);
  await send({ type: 'result', ...result });
  process.exit(0);
} catch (error) {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  await send({ type: 'error', message: message.split('\n').slice(0, 4).join('\n') });
  process.exit(1);
}
