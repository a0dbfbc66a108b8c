// Issue 12, test 14: the cache after a PostgreSQL crash. The cache is an UNLOGGED table, so
// crash recovery empties it: every read after the restart is a miss. Callers keep calling
// through the outage; once the server is back, not one more error may reach them.
import { Cache } from '@pgq/cache';
import { expect, it } from 'vitest';
import { useEmbeddedServer, useTestDatabase } from '../src/suite.js';
import { sleep, waitUntil } from '../src/wait.js';

const entries = 1_000;
const callers = 4;

const server = useEmbeddedServer({ durable: true });
const db = useTestDatabase({ server });

interface Call {
  startedAt: number;
  failed: boolean;
  /** The value read was one written before the crash. */
  original: boolean;
}

const isOriginal = (value: unknown) => typeof value === 'object' && value !== null && 'n' in value;

it('kill -9 of the postmaster: the cache comes back empty, reads miss, no error after recovery', async () => {
  const cache = new Cache(db.pgq, { namespace: 'crash', sweepIntervalMs: 200 });
  let sweepErrors = 0;
  cache.on('error', () => sweepErrors++);
  await cache.start();
  const keys = Array.from({ length: entries }, (_, n) => `key:${n}`);
  await cache.setMany(
    keys.map((key, n) => [key, { n }] as const),
    3_600,
  );
  expect((await cache.stats()).entries).toBe(entries);

  // Callers read (a fifth of them through getOrSet, which reloads a miss) random keys
  // without pause, as an app would; a failed call backs off briefly so the outage is not a
  // busy loop.
  const calls: Call[] = [];
  let running = true;
  const caller = async () => {
    while (running) {
      const key = keys[Math.floor(Math.random() * entries)]!;
      const call: Call = { startedAt: Date.now(), failed: false, original: false };
      try {
        const value =
          Math.random() < 0.2
            ? await cache.getOrSet(key, 60, () => ({ reloaded: true }))
            : await cache.get(key);
        call.original = isOriginal(value);
      } catch {
        call.failed = true;
      }
      calls.push(call);
      await sleep(call.failed ? 50 : 1);
    }
  };
  const callersDone = Promise.all(Array.from({ length: callers }, caller));
  try {
    await sleep(500);
    const killedAt = Date.now();
    await server.kill();
    await server.restart();
    const upAt = Date.now();
    // Recovered: the first call started after the restart that succeeded.
    const firstSuccess = () => calls.find((call) => call.startedAt >= upAt && !call.failed);
    await waitUntil(() => firstSuccess() !== undefined, {
      timeoutMs: 20_000,
      intervalMs: 10,
      message: 'no caller succeeded after the restart',
    });
    const recoveredAt = firstSuccess()!.startedAt;
    // Keep calling well past recovery: errors that surface late count too.
    await sleep(2_000);
    running = false;
    await callersDone;

    const before = calls.filter((call) => call.startedAt < killedAt);
    const during = calls.filter(
      (call) => call.startedAt >= killedAt && call.startedAt < recoveredAt,
    );
    const after = calls.filter((call) => call.startedAt >= recoveredAt);
    const count = (list: Call[], test: (call: Call) => boolean) => list.filter(test).length;
    const remaining = await cache.getMany(keys);
    const { entries: entriesAfter } = await cache.stats();
    console.log(
      `[reliability] cache after kill -9: entriesBefore=${entries} hitsBefore=${count(before, (call) => call.original)}/${before.length} restartMs=${upAt - killedAt} recoveryMs=${recoveredAt - killedAt} callsDuringOutage=${during.length} errorsDuringOutage=${count(during, (call) => call.failed)} callsAfterRecovery=${after.length} errorsAfterRecovery=${count(after, (call) => call.failed)} preCrashValuesReadDuringOutage=${count(during, (call) => call.original)} preCrashValuesReadAfterRecovery=${count(after, (call) => call.original)} entriesAfter=${entriesAfter} (all reloaded) sweeperErrors=${sweepErrors}`,
    );
    expect(count(before, (call) => call.original)).toBe(before.length);
    expect(count(after, (call) => call.failed)).toBe(0);
    expect(after.length).toBeGreaterThan(100);
    // Emptied by the crash: no read after the restart saw a value from before it (backends
    // still dying may answer a few reads in between), and the table holds only what getOrSet
    // loaded since.
    expect(count(after, (call) => call.original)).toBe(0);
    expect([...remaining.values()].filter(isOriginal)).toHaveLength(0);
    expect(entriesAfter).toBe(remaining.size);
    expect(cache.running).toBe(true);
    await cache.set('after-crash', { ok: true }, 60);
    expect(await cache.get('after-crash')).toEqual({ ok: true });
  } finally {
    running = false;
    await callersDone;
    await cache.stop();
  }
});
