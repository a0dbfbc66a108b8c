import type { Executor, Pgq } from '@pgq/core';
import { Statement } from '@pgq/core/internal';

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

// Its joins pair the batch with itself: a generic plan's worst, 64 × 64 comparisons, costs less
// than planning the statement (~0.2 ms), which a burst of enqueues would pay.
const insert = new Statement((pgq) => insertText(pgq, false), { preparedUpTo: 64 });
const insertUnique = new Statement((pgq) => insertText(pgq, true), { preparedUpTo: 64 });

/**
 * Inserts a batch of jobs in one statement (arrays through `unnest`, any size).
 *
 * Ids come from the column's default, the sequence, never from the statement: a role that
 * may enqueue cannot choose one (docs/roles.sql does not grant the producer the id column;
 * issue 26). The default is evaluated as the rows leave the ordered `select`, and a sequence
 * only grows, so the inserted ids in ascending order are in input order: that is how each
 * input gets its id back. With unique keys, the first input of a key is answered by the row
 * inserted with it, and the others (enqueues batched together may share a key) by that row or
 * else by the live job holding the key, read in the same statement; only keyless inputs rely
 * on the order.
 *
 * `on conflict do nothing` on the unique key index takes no row lock and writes nothing for a
 * duplicate (an `on conflict do update` would lock and rewrite the live job every time). When
 * the holder committed after this statement's snapshot it is not visible yet, and the caller
 * runs the statement again. The queue's defaults come from `queues` in the same statement: an
 * unknown queue inserts nothing and reports `queueExists: false` instead of failing on
 * partition routing.
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
  // The app's transaction commits as the app set it; a shared statement waits for its flush
  // when any of its jobs must be durable.
  const durable = tx !== undefined || inputs.some((input) => input.durable);
  // A NOTIFY holds a database-wide lock from its commit through the WAL flush: a statement
  // that commits durably on its own leaves it out, for the caller to send once committed. In
  // an app's transaction it goes out at that commit; without a flush to wait for it costs
  // nothing, and the workers hear a round trip sooner.
  const notified = tx !== undefined || !durable;
  const { rows } = await (unique ? insertUnique : insert).run<InsertedRow>(
    pgq,
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
    { tx, batch: inputs.length },
  );
  const row = rows[0]!;
  return { notified, queueExists: row.queue_exists, jobs: idsOf(inputs, row) };
}

/** The statement's one row: the inserted ids in ascending order, and the live key holders. */
interface InsertedRow {
  queue_exists: boolean;
  ids: string[];
  /** The unique key of each inserted id; absent without unique keys. */
  keys?: Array<string | null>;
  held_ids?: string[];
  held_keys?: string[];
}

function idsOf(inputs: readonly JobInsertInput[], row: InsertedRow): JobsInsertOutcome['jobs'] {
  const keyless: string[] = [];
  const insertedByKey = new Map<string, string>();
  row.ids.forEach((id, index) => {
    const key = row.keys?.[index] ?? null;
    if (key === null) keyless.push(id);
    else insertedByKey.set(key, id);
  });
  const heldByKey = new Map(row.held_keys?.map((key, index) => [key, row.held_ids![index]!]));
  let next = 0;
  return inputs.map(({ uniqueKey }) => {
    if (uniqueKey === null) return { id: keyless[next++]!, deduplicated: false };
    const inserted = insertedByKey.get(uniqueKey);
    if (inserted !== undefined) {
      // Enqueues batched together may share a key: the first inserted, the others found it.
      insertedByKey.delete(uniqueKey);
      heldByKey.set(uniqueKey, inserted);
      return { id: inserted, deduplicated: false };
    }
    const held = heldByKey.get(uniqueKey);
    return { id: held ?? null, deduplicated: held !== undefined };
  });
}

function insertText(pgq: Pgq, unique: boolean): string {
  const jobs = pgq.table('jobs');
  const insert = `
      insert into ${jobs} (queue, payload, priority, run_at, max_attempts, unique_key)
      select target.name, input.payload::jsonb, input.priority,
             coalesce(input.run_at, statement_timestamp() + coalesce(input.delay_ms, 0) * interval '1 millisecond'),
             coalesce(input.max_attempts, target.max_attempts), input.unique_key
        from input cross join target
       order by input.position`;
  const prefix = `
    with input as (
      select t.*
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
    return `${prefix}
    inserted as (${insert}
      returning id
    )
    select exists (select 1 from target) as queue_exists,
           array(select inserted.id::text from inserted order by inserted.id) as ids`;
  }
  // The holders are read in the statement's snapshot, which does not show its own inserts.
  return `${prefix}
    inserted as (${insert}
      on conflict (queue, unique_key) where unique_key is not null do nothing
      returning id, unique_key
    ),
    held as (
      select existing.id, existing.unique_key
        from input join ${jobs} existing
          on existing.queue = $1 and existing.unique_key = input.unique_key
    )
    select exists (select 1 from target) as queue_exists,
           array(select inserted.id::text from inserted order by inserted.id) as ids,
           array(select unique_key from inserted order by inserted.id) as keys,
           array(select id::text from held) as held_ids,
           array(select unique_key from held) as held_keys`;
}
