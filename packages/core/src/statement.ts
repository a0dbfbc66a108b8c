import type { Executor } from './executor.js';
import type { Pgq } from './pgq.js';

/** The rows a generic plan assumes a set-returning function such as `unnest()` yields. */
export const genericPlanRows = 10;

/** Options of `new Statement()`. */
export interface StatementOptions {
  /**
   * The largest `batch` (rows of its `unnest($n::…[])` arrays) that runs prepared; a larger
   * one is planned for its real arrays. Default: `genericPlanRows` (10). Raise it only for a
   * statement whose worst generic plan compares the batch with itself, never with a table's
   * rows.
   */
  preparedUpTo?: number;
}

/** Options of `Statement.run` and `Statement.query`. */
export interface StatementRunOptions {
  /** Run on the caller's transaction instead of the pool (prepared there too, on a `pg` client). */
  tx?: Executor | undefined;
  /**
   * How many rows the statement's arrays carry, for a statement whose plan depends on it (its
   * arrays join a table's rows). Default 1: a statement that does not pass it always runs
   * prepared.
   */
  batch?: number;
}

/**
 * A hot-path statement and the one rule for running it as a named prepared statement (parsed
 * and planned once per connection, most of a short statement's server time), unless the app
 * turned prepared statements off in `connect()`. Its text is built once per `Pgq` (it holds
 * the schema), so it is identical on every call, which a named statement needs. Statements
 * that are not hot (sweeps, evictions, CRUD) use `pgq.query`, planned each time for the
 * table as it is.
 *
 * The rule: prepared unless `batch` is over `preparedUpTo`. A prepared statement soon runs a
 * generic plan, which assumes each array unnests to 10 rows; with a fresh queue's partition
 * (no statistics: it thinks one job is active) that plan is a nested loop comparing every
 * input row with every active job, quadratic in the batch (measured: 500 completions,
 * 258,000 comparisons, 70 ms instead of 1 ms). Past the bound the statement is planned for
 * its real arrays, which costs a fraction of a millisecond per batch. A statement whose
 * arrays are only inserted, sent or probed by primary key has one plan whatever their size,
 * and does not pass `batch`.
 *
 * @example
 * ```ts
 * const jobsRelease = new Statement(
 *   (pgq) => `update ${pgq.table('jobs')} j set state = 'pending'
 *               from unnest($1::bigint[]) as t(id) where j.id = t.id`,
 * );
 * await jobsRelease.run(pgq, [ids], { batch: ids.length });
 * ```
 */
export class Statement {
  readonly #build: (pgq: Pgq) => string;
  readonly #preparedUpTo: number;
  readonly #texts = new WeakMap<Pgq, string>();

  constructor(build: (pgq: Pgq) => string, options: StatementOptions = {}) {
    this.#build = build;
    this.#preparedUpTo = options.preparedUpTo ?? genericPlanRows;
  }

  /** The statement's text for this `pgq`'s schema. */
  text(pgq: Pgq): string {
    let text = this.#texts.get(pgq);
    if (text === undefined) {
      text = this.#build(pgq);
      this.#texts.set(pgq, text);
    }
    return text;
  }

  /** Runs the statement; returns its rows and the affected-row count. */
  run<Row = Record<string, unknown>>(
    pgq: Pgq,
    values: readonly unknown[],
    options: StatementRunOptions = {},
  ): Promise<{ rows: Row[]; rowCount: number }> {
    return pgq.execute<Row>(this.text(pgq), values, {
      tx: options.tx,
      prepare: (options.batch ?? 1) <= this.#preparedUpTo,
    });
  }

  /** Runs the statement; returns its rows. */
  async query<Row = Record<string, unknown>>(
    pgq: Pgq,
    values: readonly unknown[],
    options: StatementRunOptions = {},
  ): Promise<Row[]> {
    return (await this.run<Row>(pgq, values, options)).rows;
  }
}
