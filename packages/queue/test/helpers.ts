import type { Contract, Pgq, StandardSchemaV1 } from '@pgq/core';
import type { Worker } from '../src/index.js';

/** A tiny Standard Schema (no validator dependency): `{ to: string }` with an optional `count`. */
export const emailSchema: StandardSchemaV1<
  { to: string; count?: number },
  { to: string; count: number }
> = {
  '~standard': {
    version: 1,
    vendor: 'pgq-test',
    validate(value) {
      const candidate = value as { to?: unknown; count?: unknown } | null;
      if (typeof candidate !== 'object' || candidate === null) {
        return { issues: [{ message: 'Expected an object' }] };
      }
      if (typeof candidate.to !== 'string' || !candidate.to.includes('@')) {
        return { issues: [{ message: 'Invalid email', path: ['to'] }] };
      }
      if (candidate.count !== undefined && typeof candidate.count !== 'number') {
        return { issues: [{ message: 'Expected a number', path: ['count'] }] };
      }
      return { value: { to: candidate.to, count: candidate.count ?? 1 } };
    },
  },
};

/** A job contract over `emailSchema` for queue `name`. */
export function emailContract<const Name extends string>(
  name: Name,
): Contract<Name, typeof emailSchema> {
  return { name, schema: emailSchema };
}

/** Counts rows of a pgq table for one queue. */
export async function countRows(
  pgq: Pgq,
  table: 'jobs' | 'job_archive',
  queue: string,
): Promise<number> {
  const rows = await pgq.query<{ count: number }>(
    `select count(*)::int as count from ${pgq.table(table)} where queue = $1`,
    [queue],
  );
  return rows[0]!.count;
}

/** Resolves with the arguments of the next `event` of a worker. */
export function nextEvent<Event extends 'completed' | 'failed' | 'dead' | 'error'>(
  worker: Worker<any, any>,
  event: Event,
): Promise<unknown[]> {
  return new Promise((resolve) => {
    worker.once(event as 'error', (...args: unknown[]) => resolve(args));
  });
}

/** Resolves once `predicate` holds, checking on every event-loop turn-ish; fails after `timeoutMs`. */
export async function eventually(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Milliseconds of a list of samples at quantile `q` (0..1). */
export function quantile(samples: number[], q: number): number {
  const sorted = [...samples].sort((left, right) => left - right);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
