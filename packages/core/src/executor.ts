import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import { ValidationError } from './errors/validation-error.js';

/** The part of a `pg` client (or pool) that pgq uses. */
export interface PgQueryable {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

/**
 * Where a write runs when the app wants it atomic with its own data: a Kysely
 * `Transaction`, a Kysely instance, or a `pg` client inside `BEGIN`.
 *
 * @example
 * ```ts
 * await db.transaction().execute(async (tx) => {
 *   await tx.insertInto('users').values(user).execute();
 *   await emails.enqueue({ to: user.email }, { tx }); // commits or rolls back with the insert
 * });
 * ```
 */
export type Executor = Kysely<any> | Transaction<any> | PgQueryable;

/** Options of every write that may join the app's transaction. */
export interface TxOptions {
  /** Run inside this transaction (or on this client/Kysely instance) instead of the pool. */
  tx?: Executor;
}

function isKysely(executor: Executor): executor is Kysely<any> {
  return typeof (executor as Kysely<any>).executeQuery === 'function';
}

/** Runs one parameterised statement on an executor and returns its rows. */
export async function runOn<Row>(
  executor: Executor,
  text: string,
  values: readonly unknown[],
): Promise<{ rows: Row[]; rowCount: number }> {
  if (isKysely(executor)) {
    const result = await executor.executeQuery<Row>(CompiledQuery.raw(text, [...values]));
    return {
      rows: [...result.rows],
      rowCount: Number(result.numAffectedRows ?? result.rows.length),
    };
  }
  const result = await executor.query(text, [...values]);
  // Without parameters pg sends the text as a simple query, which may hold several statements
  // (each ran) and answers with one result per statement.
  if (Array.isArray(result)) {
    throw new ValidationError(
      `pgq runs one statement per query; this text held ${result.length}: run scripts with pool.query`,
    );
  }
  return { rows: result.rows as Row[], rowCount: result.rowCount ?? result.rows.length };
}
