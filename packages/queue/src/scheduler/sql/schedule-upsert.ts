import type { Executor, Pgq } from '@pgq/core';
import { type ScheduleRow, scheduleColumns } from './schedule-row.js';

/** A checked schedule, ready to store. */
export interface ScheduleUpsertInput {
  name: string;
  cron: string;
  timezone: string;
  queue: string;
  /** JSON text. */
  payload: string;
  /** JSON text of the job options. */
  options: string;
  catchUp: string;
  graceMs: number;
  /** The first tick after now: stored only for a new schedule or a changed expression. */
  nextRunAt: Date | null;
  /** Where running schedulers are told to look at the table again. */
  channel: string;
}

/**
 * Creates or replaces a schedule, in one statement; returns undefined (storing nothing) when
 * the queue does not exist. When the expression and time zone are unchanged the stored
 * next_run_at stays, so an app that calls `set` at every boot keeps the ticks it missed
 * meanwhile (its `catchUp` policy decides what to do with them). The NOTIFY (sent at commit)
 * wakes running schedulers, whose timer may be set for a later tick.
 */
export async function scheduleUpsert(
  pgq: Pgq,
  input: ScheduleUpsertInput,
  tx?: Executor,
): Promise<ScheduleRow | undefined> {
  const rows = await pgq.query<ScheduleRow>(
    `with upserted as (
       insert into ${pgq.table('schedules')} as s
              (name, cron, timezone, queue, payload, options, catch_up, grace_ms, next_run_at)
       select $1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8, $9
        where exists (select 1 from ${pgq.table('queues')} where name = $4)
       on conflict (name) do update set
              cron = excluded.cron, timezone = excluded.timezone, queue = excluded.queue,
              payload = excluded.payload, options = excluded.options,
              catch_up = excluded.catch_up, grace_ms = excluded.grace_ms,
              next_run_at = case
                when s.cron = excluded.cron and s.timezone = excluded.timezone
                 and s.next_run_at is not null
                then s.next_run_at else excluded.next_run_at end,
              updated_at = now()
       returning ${scheduleColumns}
     )
     select upserted.*
       from upserted cross join lateral (select pg_notify($10, upserted.name)) as notified`,
    [
      input.name,
      input.cron,
      input.timezone,
      input.queue,
      input.payload,
      input.options,
      input.catchUp,
      input.graceMs,
      input.nextRunAt,
      input.channel,
    ],
    { tx },
  );
  return rows[0];
}
