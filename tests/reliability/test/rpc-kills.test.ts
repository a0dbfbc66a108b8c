// Issue 12, test 13: 2,000 RPC calls while a server process is SIGKILLed (and replaced) and
// the caller's LISTEN connection is killed (pg_terminate_backend) again and again. Every call
// must settle exactly once, with its own answer, a TimeoutError, or (for the requests the
// killed server held) a RemoteError saying the lease was lost; no reply may reach the wrong
// call.
import { randomUUID } from 'node:crypto';
import { LeaseLostError, type Pgq, PgqError, RemoteError, TimeoutError } from '@pgq/core';
import { RpcClient } from '@pgq/rpc';
import { afterEach, beforeAll, expect, it } from 'vitest';
import {
  type Child,
  killChild,
  startChild,
  stopChildren,
  terminateChildren,
} from '../src/processes.js';
import { useTestDatabase } from '../src/suite.js';
import { quantile, waitUntil } from '../src/wait.js';

const calls = 2_000;
const inFlight = 100;
const timeoutMs = 10_000;
const serverConcurrency = 8;
const queue = 'rpc_kills';
// Faults strike when this many calls have settled.
const killServerAt = 500;
const killListenerAt = [200, 700, 1_100, 1_500, 1_800];

const db = useTestDatabase();
let caller: Pgq;

beforeAll(() => {
  caller = db.connect({ listenerHealthCheckIntervalMs: 1_000 });
});

afterEach(stopChildren);

function startServer(): Promise<Child> {
  return startChild('fixtures/rpc-server.ts', {
    env: {
      DATABASE_URL: db.url,
      PGQ_SCHEMA: db.schema,
      QUEUE: queue,
      CONCURRENCY: String(serverConcurrency),
      LEASE_MS: '2000',
      RESCUE_INTERVAL_MS: '500',
    },
  });
}

interface Echo {
  n: number;
  nonce: string;
  pid?: number;
}

// Ends the caller's LISTEN session (once it is connected again after the previous kill).
async function killListener(): Promise<void> {
  await waitUntil(() => caller.listener.backendPid !== undefined, { timeoutMs: 10_000 });
  await db.pgq.query('select pg_terminate_backend($1)', [caller.listener.backendPid]);
}

it('2,000 calls through a SIGKILLed server and a killed listener: each settles once, none misrouted', async () => {
  const servers = [await startServer(), await startServer()];
  const rpc = new RpcClient(caller, { timeoutMs });
  const clientErrors: Error[] = [];
  rpc.on('error', (error) => clientErrors.push(error));
  const settlements = new Array<number>(calls).fill(0);
  const latencies: number[] = [];
  let answered = 0;
  let timeouts = 0;
  let misrouted = 0;
  const otherErrors: unknown[] = [];
  // Requests the killed server held: another server's rescue marks them dead and replies so.
  let leaseLost = 0;
  let settled = 0;
  let serverKills = 0;
  let listenerKills = 0;
  const faults: Promise<void>[] = [];

  const strike = (): void => {
    if (settled === killServerAt) {
      serverKills++;
      faults.push(
        killChild(servers[0]!).then(async () => {
          servers[0] = await startServer();
        }),
      );
    }
    if (killListenerAt.includes(settled)) {
      listenerKills++;
      faults.push(killListener());
    }
  };

  const one = async (n: number): Promise<void> => {
    const nonce = randomUUID();
    const started = performance.now();
    try {
      const answer = await rpc.call<Echo>(queue, { n, nonce });
      settlements[n]!++;
      answered++;
      latencies.push(performance.now() - started);
      if (answer.n !== n || answer.nonce !== nonce) misrouted++;
    } catch (error) {
      settlements[n]!++;
      if (PgqError.hasCode(error, TimeoutError.code)) timeouts++;
      else if (error instanceof RemoteError && error.remoteCode === LeaseLostError.code)
        leaseLost++;
      else otherErrors.push(error);
    }
    settled++;
    strike();
  };

  const started = performance.now();
  let next = 0;
  const lanes = Array.from({ length: inFlight }, async () => {
    while (next < calls) await one(next++);
  });
  try {
    await waitUntil(() => settled === calls, {
      timeoutMs: 120_000,
      intervalMs: 100,
      message: () => `only ${settled} of ${calls} calls settled`,
    });
    await Promise.all(lanes);
    await Promise.all(faults);
  } finally {
    await rpc.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const [left] = await db.pgq.query<{ replies: number }>(
    `select count(*)::int as replies from ${db.pgq.table('rpc_replies')}`,
  );
  const settledTwice = settlements.filter((count) => count > 1).length;
  const unsettled = settlements.filter((count) => count === 0).length;
  console.log(
    `[reliability] rpc kills: calls=${calls} answered=${answered} timeouts=${timeouts} leaseLost=${leaseLost} otherErrors=${otherErrors.length} misrouted=${misrouted} settledTwice=${settledTwice} unsettled=${unsettled} serverKills=${serverKills} listenerKills=${listenerKills} leftoverReplies=${left!.replies} clientErrors=${clientErrors.length} p50Ms=${Math.round(quantile(latencies, 0.5))} p99Ms=${Math.round(quantile(latencies, 0.99))} maxMs=${Math.round(quantile(latencies, 1))} seconds=${seconds.toFixed(1)}`,
  );
  expect(otherErrors).toEqual([]);
  expect({ settledTwice, unsettled, misrouted }).toEqual({
    settledTwice: 0,
    unsettled: 0,
    misrouted: 0,
  });
  expect(answered + timeouts + leaseLost).toBe(calls);
  // Only the requests the killed server held may fail: an RPC request gets one attempt by
  // default, so when its lease expires another server's rescue marks it dead and replies so.
  expect(timeouts + leaseLost).toBeLessThanOrEqual(serverConcurrency);
  expect({ serverKills, listenerKills }).toEqual({
    serverKills: 1,
    listenerKills: killListenerAt.length,
  });
  await terminateChildren(servers);
}, 180_000);
