import type { Pgq } from '@pgq/core';

/**
 * The attempt count of an active job under a lease token, or undefined when the token no
 * longer holds it: `fail(id, ...)` needs it for the backoff when the caller has no `Job`.
 */
export async function jobAttempts(
  pgq: Pgq,
  queue: string,
  id: string,
  leaseToken: string,
): Promise<number | undefined> {
  const rows = await pgq.query<{ attempts: number }>(
    `select attempts from ${pgq.table('jobs')}
      where queue = $1 and id = $2 and lease_token = $3 and state = 'active'`,
    [queue, id, leaseToken],
  );
  return rows[0]?.attempts;
}
