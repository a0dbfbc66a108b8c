import { createHash } from 'node:crypto';
import type { Executor, Pgq } from '@pgq/core';

/** A hot-path statement: its SQL text for one schema, and a short name to log it by. */
export interface Statement {
  readonly name: string;
  readonly text: string;
}

const statements = new WeakMap<Pgq, Map<string, Statement>>();

/**
 * Hot-path statement `key` for this `pgq`'s schema, built once: its text is then identical
 * on every call, which is what a named prepared statement needs.
 */
export function statement(pgq: Pgq, key: string, build: () => string): Statement {
  let cache = statements.get(pgq);
  if (!cache) {
    cache = new Map();
    statements.set(pgq, cache);
  }
  let found = cache.get(key);
  if (!found) {
    const text = build();
    const hash = createHash('sha256').update(text).digest('hex').slice(0, 12);
    found = { name: `pgq_${key}_${hash}`, text };
    cache.set(key, found);
  }
  return found;
}

/**
 * Runs a hot-path statement as a named prepared statement (parsed and planned once per
 * connection, most of a short statement's server time) unless the app turned prepared
 * statements off in `connect()`; on the app's `tx` when given.
 *
 * `batch`: how many rows a statement over `unnest($n::…[])` arrays carries. A prepared
 * statement soon runs a generic plan, which assumes an array unnests to 10 rows; with a
 * fresh queue's partition (no statistics: it thinks one job is active) that plan is a nested
 * loop comparing every input row with every active job, quadratic in the batch (measured:
 * 500 completions, 258,000 comparisons, 70 ms instead of 1 ms). Past 10 rows the statement
 * is planned for its real arrays, which costs a fraction of a millisecond per batch.
 * `preparedUpTo` raises that bound for a statement whose worst generic plan only compares the
 * batch with itself (never with a table's rows).
 */
export function run<Row>(
  pgq: Pgq,
  prepared: Statement,
  values: readonly unknown[],
  tx?: Executor,
  batch = 1,
  preparedUpTo = genericPlanRows,
): Promise<{ rows: Row[]; rowCount: number }> {
  return pgq.execute<Row>(prepared.text, values, { tx, prepare: batch <= preparedUpTo });
}

// The rows a generic plan assumes a set-returning function such as unnest() yields.
const genericPlanRows = 10;
