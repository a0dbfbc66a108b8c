import type { ColumnType, Generated } from 'kysely';

/** A job's place in its life: see the `@pgq/queue` README for the state machine. */
export type JobState = 'pending' | 'active' | 'completed' | 'dead' | 'cancelled';

type Timestamp = ColumnType<Date, Date | string, Date | string>;

/** `queues`: one row per queue, with its defaults. */
export interface QueueTable {
  name: string;
  /** Names the queue's partition of `jobs` (`jobs_<id>`). */
  id: Generated<number>;
  max_attempts: Generated<number>;
  lease_ms: Generated<number>;
  completed_retention_seconds: Generated<number>;
  dead_retention_seconds: Generated<number>;
  created_at: Generated<Date>;
}

/** `jobs`: live jobs (pending and active), list-partitioned by queue. */
export interface JobTable {
  id: ColumnType<string, string | undefined, never>;
  queue: string;
  state: Generated<JobState>;
  payload: unknown;
  priority: Generated<number>;
  run_at: ColumnType<Date, Date | string | undefined, Date | string>;
  attempts: Generated<number>;
  max_attempts: number;
  unique_key: string | null;
  lease_token: string | null;
  lease_expires_at: Timestamp | null;
  worker_id: string | null;
  last_error: unknown | null;
  /** Set by `waitFor`: the row's removal is announced on the `finished.<queue>` channel. */
  notify_on_finish: Generated<boolean>;
  created_at: Generated<Date>;
  started_at: Timestamp | null;
}

/** `job_archive`: completed, dead and cancelled jobs, kept per the queue's retention. */
export interface JobArchiveTable {
  id: string;
  queue: string;
  state: JobState;
  payload: unknown;
  priority: number;
  attempts: number;
  max_attempts: number;
  unique_key: string | null;
  last_error: unknown | null;
  result: unknown | null;
  created_at: Timestamp;
  started_at: Timestamp | null;
  finished_at: Generated<Date>;
  /** From the last claim to the outcome, in milliseconds. */
  duration_ms: number | null;
}

/** `workers`: the live-worker registry, one row per running worker, heartbeated. */
export interface WorkerTable {
  id: string;
  hostname: string;
  pid: number;
  queues: string[];
  started_at: Generated<Date>;
  last_seen_at: Generated<Date>;
}

/** `schedules`: cron schedules that enqueue a job per tick. */
export interface ScheduleTable {
  name: string;
  cron: string;
  timezone: Generated<string>;
  queue: string;
  payload: unknown;
  options: unknown;
  /** What to do with ticks missed while every scheduler was down. */
  catch_up: Generated<'none' | 'latest' | 'all'>;
  /** A tick at most this late still fires; older ticks count as missed. */
  grace_ms: Generated<number>;
  next_run_at: Timestamp | null;
  last_run_at: Timestamp | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
