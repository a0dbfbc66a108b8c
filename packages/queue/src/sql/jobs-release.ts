import type { Pgq } from '@pgq/core';
import { Statement } from '@pgq/core/internal';

const statement = new Statement(
  (pgq) => `
    update ${pgq.table('jobs')} j
       set state = 'pending', attempts = greatest(0, j.attempts - 1),
           lease_token = null, lease_expires_at = null, worker_id = null
      from unnest($2::bigint[], $3::uuid[]) as t(id, lease_token)
     where j.queue = $1 and j.id = t.id and j.lease_token = t.lease_token and j.state = 'active'
    returning j.id::text as id`,
);

/**
 * Hands jobs back to `pending` at once, for a worker stopping past its timeout: the attempt
 * is not counted (the job did not fail, its worker left) and it keeps its place in line.
 * Returns the ids released.
 *
 * Fenced on the lease token, so a job whose completion won the race stays completed. Locks
 * each row for this statement only.
 */
export async function jobsRelease(
  pgq: Pgq,
  queue: string,
  leases: ReadonlyArray<{ id: string; leaseToken: string }>,
): Promise<string[]> {
  const { rows } = await statement.run<{ id: string }>(
    pgq,
    [queue, leases.map((lease) => lease.id), leases.map((lease) => lease.leaseToken)],
    { batch: leases.length },
  );
  return rows.map((row) => row.id);
}
