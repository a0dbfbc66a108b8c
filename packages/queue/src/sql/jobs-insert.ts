import { type Executor, type Pgq, quoteLiteral } from '@pgq/core';
import { run, statement } from './statement.js';

/** One job to insert, already validated and serialised. */
export interface JobInsertInput {
  /** JSON text. */
  payload: string;
  priority: number;
  /** ISO timestamp, or null to use `delayMs` from the database clock. */
  runAt: string | null;
  delayMs: number | null;
  /** Null: the queue's default. */
  maxAttempts: number | null;
  uniqueKey: string | null;
  /** False: the statement may commit without waiting for its WAL flush. */
  durable: boolean;
}

/** What became of each input, in input order. */
export interface JobsInsertOutcome {
  queueExists: boolean;
  /** `id` is null when the unique key's holder finished before it could be read: try again. */
  jobs: Array<{ id: string | null; deduplicated: boolean }>;
  /**
   * False when the statement committed durably on its own: it left out the trigger's NOTIFY,
   * and the caller announces the jobs now (`announceJobs`).
   */
  notified: boolean;
}

/**
 * Inserts a batch of jobs in one statement (arrays through `unnest`, any size).
 *
 * Ids are drawn up front in a materialised CTE so each result maps back to its input.
 * `on conflict do nothing` on the unique key index takes no row lock and writes nothing for a
 * duplicate (an `on conflict do update` would lock and rewrite the live job every time); the
 * existing job's id is read in the same statement. When that holder committed after this
 * statement's snapshot it is not visible yet, and the caller runs the statement again.
 * The queue's defaults come from `queues` in the same statement: an unknown queue inserts
 * nothing and reports `queueExists: false` instead of failing on partition routing.
 */
export async function jobsInsert(
  pgq: Pgq,
  queue: string,
  inputs: readonly JobInsertInput[],
  tx?: Executor,
): Promise<JobsInsertOutcome> {
  // Without unique keys no row can conflict: a plain insert skips the speculative insertion
  // `on conflict` pays per row, and the lookup of existing holders.
  const unique = inputs.some((input) => input.uniqueKey !== null);
  const prepared = statement(pgq, unique ? 'jobs_insert_unique' : 'jobs_insert', () =>
    insertText(pgq, unique),
  );
  // The app's transaction commits as the app set it; a shared statement waits for its flush
  // when any of its jobs must be durable.
  const durable = tx !== undefined || inputs.some((input) => input.durable);
  // A NOTIFY holds a database-wide lock from its commit through the WAL flush: a statement
  // that commits durably on its own leaves it out, for the caller to send once committed. In
  // an app's transaction it goes out at that commit; without a flush to wait for it costs
  // nothing, and the workers hear a round trip sooner.
  const notified = tx !== undefined || !durable;
  const { rows } = await run<{ id: string | null; deduplicated: boolean; queue_exists: boolean }>(
    pgq,
    prepared,
    [
      queue,
      inputs.map((input) => input.payload),
      inputs.map((input) => input.priority),
      inputs.map((input) => input.runAt),
      inputs.map((input) => input.delayMs),
      inputs.map((input) => input.maxAttempts),
      inputs.map((input) => input.uniqueKey),
      durable,
      !notified,
    ],
    tx,
    inputs.length,
    // Its joins pair the batch with itself: a generic plan's worst, 64 × 64 comparisons,
    // costs less than planning the statement (~0.2 ms), which a burst of enqueues would pay.
    64,
  );
  return {
    notified,
    queueExists: rows[0]?.queue_exists ?? false,
    jobs: rows.map((row) => ({ id: row.id, deduplicated: row.id !== null && row.deduplicated })),
  };
}

function insertText(pgq: Pgq, unique: boolean): string {
  const jobs = pgq.table('jobs');
  const insert = `
      insert into ${jobs} (id, queue, payload, priority, run_at, max_attempts, unique_key)
      select input.id, target.name, input.payload::jsonb, input.priority,
             coalesce(input.run_at, statement_timestamp() + coalesce(input.delay_ms, 0) * interval '1 millisecond'),
             coalesce(input.max_attempts, target.max_attempts), input.unique_key
        from input cross join target
       order by input.position`;
  const prefix = `
    with input as materialized (
      select nextval(${quoteLiteral(pgq.table('jobs_id_seq'))}::regclass) as id, t.*
        from unnest($2::text[], $3::int[], $4::timestamptz[], $5::float8[], $6::int[], $7::text[])
          with ordinality as t(payload, priority, run_at, delay_ms, max_attempts, unique_key, position)
    ),
    target as (
      select name, max_attempts,
             set_config('synchronous_commit',
               case when $8 then current_setting('synchronous_commit') else 'off' end, true),
             set_config('pgq.notify_after_commit', case when $9 then 'on' else 'off' end, true)
        from ${pgq.table('queues')} where name = $1
    ),`;
  if (!unique) {
    // A data-modifying CTE runs whether or not the query reads it.
    return `${prefix}
    inserted as (${insert}
    )
    select input.id::text as id, false as deduplicated, exists (select 1 from target) as queue_exists
      from input
     order by input.position`;
  }
  return `${prefix}
    inserted as (${insert}
      on conflict (queue, unique_key) where unique_key is not null do nothing
      returning id
    )
    select coalesce(inserted.id, existing.id)::text as id, inserted.id is null as deduplicated,
           exists (select 1 from target) as queue_exists
      from input
      left join inserted on inserted.id = input.id
      left join ${jobs} existing
        on inserted.id is null and existing.queue = $1 and existing.unique_key = input.unique_key
     order by input.position`;
}
