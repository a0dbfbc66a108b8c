import type { CatchUpPolicy, Schedule, ScheduleJobOptions } from '../scheduler-options.js';

/** A `schedules` row as the scheduler's statements return it. */
export interface ScheduleRow {
  name: string;
  cron: string;
  timezone: string;
  queue: string;
  payload: unknown;
  options: ScheduleJobOptions | null;
  catch_up: CatchUpPolicy;
  grace_ms: number;
  next_run_at: Date | null;
  last_run_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** The columns every schedule statement returns, in `ScheduleRow`'s shape. */
export const scheduleColumns =
  'name, cron, timezone, queue, payload, options, catch_up, grace_ms, next_run_at, last_run_at, created_at, updated_at';

/** The public shape of a stored schedule. */
export function scheduleFromRow(row: ScheduleRow): Schedule {
  return {
    name: row.name,
    cron: row.cron,
    timezone: row.timezone,
    queue: row.queue,
    payload: row.payload,
    options: row.options ?? {},
    catchUp: row.catch_up,
    graceMs: row.grace_ms,
    nextRunAt: row.next_run_at,
    lastRunAt: row.last_run_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
