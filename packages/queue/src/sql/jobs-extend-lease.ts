import type { Executor, Pgq } from '@pgq/core';
import { Statement } from '@pgq/core/internal';

const statement = new Statement(
  (pgq) => `
    update ${pgq.table('jobs')} j
       set lease_expires_at = statement_timestamp() + $2::float8 * interval '1 millisecond'
      from unnest($3::bigint[], $4::uuid[]) as t(id, lease_token)
     where j.queue = $1 and j.id = t.id and j.lease_token = t.lease_token and j.state = 'active'
    returning j.lease_token::text as lease_token, j.lease_expires_at`,
);

/**
 * Extends the leases of a batch of active jobs to `leaseMs` from now (the statement's time on
 * the database clock); the worker's heartbeat and `extendLease` both use it. Returns the new
 * expiry per lease token; a token missing from the map lost its lease (rescued, cancelled or
 * claimed again), and its handler should stop.
 *
 * Fenced on the lease token. Each row is locked for this statement only; it never waits on
 * a handler, which holds no lock on its job while it runs.
 */
export async function jobsExtendLease(
  pgq: Pgq,
  queue: string,
  leases: ReadonlyArray<{ id: string; leaseToken: string }>,
  leaseMs: number,
  tx?: Executor,
): Promise<Map<string, Date>> {
  const { rows } = await statement.run<{ lease_token: string; lease_expires_at: Date }>(
    pgq,
    [queue, leaseMs, leases.map((lease) => lease.id), leases.map((lease) => lease.leaseToken)],
    { tx, batch: leases.length },
  );
  return new Map(rows.map((row) => [row.lease_token, row.lease_expires_at]));
}
