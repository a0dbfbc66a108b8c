import { Queue } from '@pgq/queue';
import { afterEach, describe, expect, it } from 'vitest';
import { check, formatCheck } from '../src/checker.js';
import type { JobPlan } from '../src/job-plan.js';
import { killChild, stopChildren, terminateChildren } from '../src/processes.js';
import {
  enqueuePlans,
  finishedCount,
  heldCount,
  startQueueWorker,
  startQueueWorkers,
} from '../src/queue-workers.js';
import { useTestDatabase } from '../src/suite.js';
import { quantile, sleep, waitUntil } from '../src/wait.js';

// Issue 12, test 1: 4 worker processes x 8 concurrency, jobs of 5-50 ms, a random worker
// SIGKILLed every 2 s and replaced. The issue says 10,000 jobs: they drain in 25 s on an idle
// 2-core box but took over 90 s on a busy one, so 6,000 keep the file near a minute.
const total = 6_000;
const leaseMs = 1_500;
const rescueIntervalMs = 500;
// The recovery poll below looks every 50 ms; a kill's jobs count as recovered when it sees them.
const pollMs = 50;

const db = useTestDatabase({ ledger: true });
afterEach(stopChildren);

/** One kill: how many jobs the victim held, and how long until none was held any more. */
interface Kill {
  inFlight: number;
  recoveryMs: Promise<number>;
}

describe('kill -9 chaos', () => {
  it('SIGKILL a random worker every 2 s: 0 lost, duplicates <= in flight at the kills', async () => {
    const queue = new Queue<JobPlan>(db.pgq, 'chaos');
    // Every kill costs its jobs an attempt: attempts must not run out under chaos.
    await queue.create({ maxAttempts: 1_000 });
    const options = { queue: 'chaos', concurrency: 8, leaseMs, rescueIntervalMs };
    const workers = await startQueueWorkers(db, 4, options);
    const startedAt = Date.now();
    const acknowledged = await enqueuePlans(
      queue,
      Array.from({ length: total }, (_, n) => ({ n, ms: 5 + ((n * 7_919) % 46) })),
    );

    const kills: Kill[] = [];
    const startFailures: unknown[] = [];
    let replacement: Promise<void> = Promise.resolve();
    const killOne = async () => {
      const victim = workers.splice(Math.floor(Math.random() * workers.length), 1)[0]!;
      await killChild(victim);
      const killedAt = Date.now();
      replacement = startQueueWorker(db, options).then(
        (child) => {
          workers.push(child);
        },
        (error: unknown) => {
          startFailures.push(error);
        },
      );
      // What it held when it died is exactly what was in flight: nothing it ran can
      // complete any more.
      const inFlight = await heldCount(db.pgq, 'chaos', victim.id);
      const recoveryMs = waitUntil(
        async () => (await heldCount(db.pgq, 'chaos', victim.id)) === 0,
        {
          timeoutMs: 30_000,
          intervalMs: pollMs,
          message: `jobs of killed worker ${victim.id} not rescued`,
        },
      ).then(() => Date.now() - killedAt);
      kills.push({ inFlight, recoveryMs });
    };
    let chaos = true;
    const chaosLoop = (async () => {
      while (chaos) {
        await sleep(2_000);
        // One worker down at a time: on a slow box a replacement may take longer than 2 s to
        // start, and killing on would leave no workers at all.
        await replacement;
        if (chaos) await killOne();
      }
    })();
    try {
      await waitUntil(async () => (await finishedCount(db.pgq, 'chaos')) >= total, {
        timeoutMs: 100_000,
        intervalMs: 200,
        message: 'chaos queue not drained',
      });
    } finally {
      chaos = false;
      await chaosLoop;
      await replacement;
    }
    const drainSeconds = (Date.now() - startedAt) / 1_000;
    await terminateChildren(workers);

    const recoveries = await Promise.all(kills.map((kill) => kill.recoveryMs));
    const inFlight = kills.reduce((sum, kill) => sum + kill.inFlight, 0);
    const result = await check(db.pgq, { queue: 'chaos', acknowledged });
    const recoveryP99Ms = quantile(recoveries, 0.99);
    console.log(
      formatCheck('kill-9 chaos', result, {
        kills: kills.length,
        inFlightAtKills: inFlight,
        recoveryP50Ms: quantile(recoveries, 0.5),
        recoveryP99Ms,
        recoveryBoundMs: leaseMs + rescueIntervalMs,
        drainSeconds: drainSeconds.toFixed(1),
      }),
    );
    expect(startFailures).toEqual([]);
    expect(kills.length).toBeGreaterThanOrEqual(3);
    expect(result).toMatchObject({
      acknowledged: total,
      completed: total,
      dead: 0,
      stuck: 0,
      lost: 0,
      unexpected: 0,
      staleCompletionsAccepted: 0,
      reverted: 0,
      overlappingLeases: 0,
      overMaxAttempts: 0,
    });
    expect(result.duplicated).toBeLessThanOrEqual(inFlight);
    expect(recoveryP99Ms).toBeLessThanOrEqual(leaseMs + rescueIntervalMs + pollMs);
    expect(await queue.stats()).toMatchObject({ pending: 0, active: 0 });
  }, 150_000);
});
