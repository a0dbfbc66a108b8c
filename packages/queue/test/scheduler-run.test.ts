import { PgqError, QueueNotFoundError, ValidationError } from '@pgq/core';
import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Scheduler } from '../src/scheduler/scheduler.js';
import type { ScheduleFired, ScheduleSkipped } from '../src/scheduler/scheduler-options.js';
import { collect, databaseNow, freshQueue, jobsOf } from './scheduler-helpers.js';

let db: TestDatabase;
const schedulers: Scheduler[] = [];
const hourMs = 3_600_000;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterEach(async () => {
  await Promise.all(schedulers.splice(0).map((scheduler) => scheduler.stop()));
  await db.pgq.query(`delete from ${db.pgq.table('schedules')}`);
  // A stopped scheduler leaves no LISTEN behind.
  expect(db.pgq.listener.channels).toEqual([]);
});

afterAll(async () => {
  await db.dispose();
});

function track(scheduler: Scheduler): Scheduler {
  schedulers.push(scheduler);
  return scheduler;
}

describe('Scheduler.start', () => {
  it('enqueues one job per tick, with the tick as runAt, until the schedule is removed', async () => {
    await freshQueue(db.pgq, 'pulse');
    await freshQueue(db.pgq, 'marker');
    const scheduler = track(new Scheduler(db.pgq));
    await scheduler.start();
    // Set after start: the NOTIFY wakes the running scheduler, whose timer was set for later.
    const firstTwo = collect(scheduler, 'fired', 2, (fired) => fired.schedule === 'pulse');
    await scheduler.set('pulse', { cron: '* * * * * *', queue: 'pulse', payload: { beat: true } });
    const fired = (await firstTwo) as ScheduleFired[];
    expect(fired[1]!.tick.getTime() - fired[0]!.tick.getTime()).toBe(1_000);

    const jobs = await jobsOf(db.pgq, 'pulse');
    expect(jobs.length).toBeGreaterThanOrEqual(2);
    for (const job of jobs) {
      expect(job.run_at.getMilliseconds()).toBe(0);
      expect(job.unique_key).toBe(`schedule:pulse:${job.run_at.toISOString()}`);
      expect(job.payload).toEqual({ beat: true });
    }
    expect(new Set(jobs.map((job) => job.run_at.getTime())).size).toBe(jobs.length);

    // remove() waits for a tick being fired to commit; none fires after it.
    expect(await scheduler.remove('pulse')).toBe(true);
    const afterRemove = (await jobsOf(db.pgq, 'pulse')).length;
    const markers = collect(scheduler, 'fired', 2, (event) => event.schedule === 'marker');
    await scheduler.set('marker', { cron: '* * * * * *', queue: 'marker' });
    await markers; // two more ticks went by
    expect((await jobsOf(db.pgq, 'pulse')).length).toBe(afterRemove);
    expect(await scheduler.remove('pulse')).toBe(false);
    expect(await scheduler.get('pulse')).toBeNull();
  });

  it('has the Worker’s start/stop shape', async () => {
    const scheduler = track(new Scheduler(db.pgq));
    expect(scheduler.state).toBe('idle');
    const starting = scheduler.start();
    expect(scheduler.state).toBe('starting');
    await Promise.all([starting, scheduler.start()]);
    expect(scheduler.state).toBe('running');
    await scheduler.start(); // a no-op while running
    expect(db.pgq.listener.channels).toEqual([db.pgq.channel('schedules')]);
    await Promise.all([scheduler.stop(), scheduler.stop()]);
    expect(scheduler.state).toBe('stopped');
    expect(db.pgq.listener.channels).toEqual([]);
    await expect(scheduler.start()).rejects.toSatisfy((error) =>
      PgqError.hasCode(error, 'PGQ_SCHEDULER_STOPPED'),
    );
    const never = new Scheduler(db.pgq);
    await never.stop();
    expect(never.state).toBe('stopped');
    expect(() => new Scheduler(db.pgq, { pollIntervalMs: 0 })).toThrow(ValidationError);
  });

  it('reports a schedule whose queue is gone and still fires the others', async () => {
    await freshQueue(db.pgq, 'healthy');
    const doomed = await freshQueue(db.pgq, 'doomed');
    const scheduler = track(new Scheduler(db.pgq));
    await scheduler.set('doomed', { cron: '* * * * * *', queue: 'doomed' });
    await scheduler.set('healthy', { cron: '* * * * * *', queue: 'healthy' });
    await doomed.delete();
    const errors = collect(scheduler, 'error', 1);
    const healthy = collect(scheduler, 'fired', 2, (fired) => fired.schedule === 'healthy');
    await scheduler.start();
    const [error] = await errors;
    expect(PgqError.hasCode(error, 'PGQ_SCHEDULE_FAILED')).toBe(true);
    expect((error as Error).message).toContain('"doomed"');
    expect((error as Error).cause).toBeInstanceOf(QueueNotFoundError);
    await healthy;
    // The failed schedule stays due, untouched, for when its queue is back.
    const stuck = await scheduler.get('doomed');
    expect(stuck!.lastRunAt).toBeNull();
    expect(stuck!.nextRunAt!.getTime()).toBeLessThan((await databaseNow(db.pgq)).getTime());
  });
});

describe('missed ticks (every scheduler stopped, then restarted)', () => {
  it('none skips them, latest fires the most recent, all fires each (at most 100)', async () => {
    const now = await databaseNow(db.pgq);
    // An hourly tick half an hour from now (either way): far outside the one-minute grace.
    const minute = (now.getUTCMinutes() + 30) % 60;
    const cron = `${minute} * * * *`;
    let lastTick = Date.UTC(
      now.getUTCFullYear(),
      now.getUTCMonth(),
      now.getUTCDate(),
      now.getUTCHours(),
      minute,
    );
    if (lastTick > now.getTime()) lastTick -= hourMs;

    const policies = [
      ['catch-none', 'none', 3],
      ['catch-latest', 'latest', 3],
      ['catch-all', 'all', 3],
      ['catch-bounded', 'all', 200],
      ['catch-unique', 'all', 3],
    ] as const;
    const first = track(new Scheduler(db.pgq));
    for (const [name, catchUp] of policies) {
      await freshQueue(db.pgq, name);
      await first.set(name, {
        cron,
        queue: name,
        catchUp,
        ...(name === 'catch-unique' ? { options: { uniqueKey: 'one-at-a-time' } } : {}),
      });
    }
    await first.start();
    await first.stop();
    // Time moves on while no scheduler runs: each schedule's next tick is now hours old.
    for (const [name, , hoursAgo] of policies) {
      await db.pgq.query(
        `update ${db.pgq.table('schedules')} set next_run_at = $2 where name = $1`,
        [name, new Date(lastTick - hoursAgo * hourMs)],
      );
    }

    const restarted = track(new Scheduler(db.pgq));
    const skipped: ScheduleSkipped[] = [];
    const fired: ScheduleFired[] = [];
    restarted.on('skipped', (event) => skipped.push(event));
    restarted.on('fired', (event) => fired.push(event));
    await restarted.start(); // resolves after its first pass

    const runAts = async (queue: string) =>
      (await jobsOf(db.pgq, queue)).map((job) => job.run_at.getTime());
    const hoursBefore = (hours: number[]) => hours.map((hours) => lastTick - hours * hourMs);
    expect(await runAts('catch-none')).toEqual([]);
    expect(await runAts('catch-latest')).toEqual([lastTick]);
    expect(await runAts('catch-all')).toEqual(hoursBefore([3, 2, 1, 0]));
    const bounded = await runAts('catch-bounded');
    expect(bounded).toHaveLength(100);
    expect(bounded[0]).toBe(lastTick - 99 * hourMs);
    expect(bounded.at(-1)).toBe(lastTick);
    // A fixed unique key: one live job; the other ticks were deduplicated against it.
    expect(await runAts('catch-unique')).toEqual([lastTick - 3 * hourMs]);
    expect(
      fired.filter((event) => event.schedule === 'catch-unique').map((event) => event.deduplicated),
    ).toEqual([false, true, true, true]);

    const skippedOf = (name: string) => {
      const event = skipped.find((candidate) => candidate.schedule === name);
      return event && [event.first.getTime(), event.last.getTime()];
    };
    expect(skippedOf('catch-none')).toEqual(hoursBefore([3, 0]));
    expect(skippedOf('catch-latest')).toEqual(hoursBefore([3, 1]));
    expect(skippedOf('catch-all')).toBeUndefined();
    expect(skippedOf('catch-bounded')).toEqual(hoursBefore([200, 100]));

    // Every schedule now waits for its next tick; the ones that fired remember their last.
    for (const schedule of await restarted.list()) {
      expect(schedule.nextRunAt!.getTime()).toBe(lastTick + hourMs);
      expect(schedule.lastRunAt?.getTime() ?? null).toBe(
        schedule.catchUp === 'none' ? null : lastTick,
      );
    }
    // Another restart fires nothing more: each tick fired once.
    await restarted.stop();
    const again = track(new Scheduler(db.pgq));
    await again.start();
    expect(await runAts('catch-all')).toHaveLength(4);
    expect(await runAts('catch-bounded')).toHaveLength(100);
  });
});
