import type { Pgq } from '@pgq/core';
import { Queue } from '../src/queue.js';
import type { Scheduler } from '../src/scheduler/scheduler.js';
import type { SchedulerEvents } from '../src/scheduler/scheduler-options.js';

/** Creates queue `name` (idempotent) and returns it. */
export async function freshQueue(pgq: Pgq, name: string): Promise<Queue> {
  const queue = new Queue(pgq, name);
  await queue.create();
  return queue;
}

/** The database clock now. */
export async function databaseNow(pgq: Pgq): Promise<Date> {
  const [row] = await pgq.query<{ now: Date }>('select now() as now');
  return row!.now;
}

/** The live jobs of `queue`, by run_at. */
export async function jobsOf(
  pgq: Pgq,
  queue: string,
): Promise<Array<{ run_at: Date; unique_key: string; payload: unknown }>> {
  return pgq.query(
    `select run_at, unique_key, payload from ${pgq.table('jobs')} where queue = $1 order by run_at`,
    [queue],
  );
}

/** Resolves with the first `count` events of `scheduler` that pass `filter`; fails after 10 s. */
export function collect<Event extends 'fired' | 'skipped' | 'error'>(
  scheduler: Scheduler,
  event: Event,
  count: number,
  filter: (...args: SchedulerEvents[Event]) => boolean = () => true,
): Promise<Array<SchedulerEvents[Event][0]>> {
  return new Promise((resolve, reject) => {
    const seen: Array<SchedulerEvents[Event][0]> = [];
    const timer = setTimeout(
      () => reject(new Error(`only ${seen.length} ${event} events`)),
      10_000,
    );
    const listener = (...args: SchedulerEvents[Event]) => {
      if (!filter(...args)) return;
      seen.push(args[0]);
      if (seen.length === count) {
        clearTimeout(timer);
        scheduler.off(event, listener as never);
        resolve(seen);
      }
    };
    scheduler.on(event, listener as never);
  });
}
