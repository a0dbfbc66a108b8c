import { type Executor, type Pgq, SqlState, sqlStateOf } from '@pgq/core';
import { UniqueKeyConflictError } from '../errors/unique-key-conflict-error.js';

/**
 * Revives a dead or cancelled job: out of the archive, back into `jobs` as `pending`, to run
 * now with its attempts reset (its last error kept). Returns false when there is no such dead
 * or cancelled job. One statement: the job is never in both tables or neither. The insert
 * wakes workers through the insert trigger.
 */
export async function jobRetry(
  pgq: Pgq,
  queue: string,
  id: string,
  tx?: Executor,
): Promise<boolean> {
  try {
    const rows = await pgq.query(
      `with revived as (
         delete from ${pgq.table('job_archive')}
          where queue = $1 and id = $2 and state in ('dead', 'cancelled')
         returning *
       )
       insert into ${pgq.table('jobs')} (id, queue, payload, priority, run_at, attempts,
           max_attempts, unique_key, last_error, created_at)
       select id, queue, payload, priority, now(), 0, max_attempts, unique_key, last_error,
              created_at
         from revived
       returning id`,
      [queue, id],
      { tx },
    );
    return rows.length > 0;
  } catch (error) {
    if (sqlStateOf(error) === SqlState.uniqueViolation) {
      throw new UniqueKeyConflictError(queue, id, { cause: error });
    }
    throw error;
  }
}
