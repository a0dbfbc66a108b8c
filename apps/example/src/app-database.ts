import { type Generated, Kysely, PostgresDialect, type Selectable } from 'kysely';
import type pg from 'pg';

/** The app's own `users` table (created by `app-migrations.ts`). */
export interface UsersTable {
  id: Generated<number>;
  email: string;
  created_at: Generated<Date>;
}

/** The app's tables, for its Kysely instance. */
export interface AppDatabase {
  users: UsersTable;
}

/** A row of `users`. */
export type User = Selectable<UsersTable>;

/**
 * The app's Kysely, scoped to its own schema, on pgq's pool: one pool for the app's queries
 * and pgq's, so `{ tx }` hands pgq a transaction of that same pool.
 *
 * @example
 * ```ts
 * const db = openAppDatabase(pgq.pool, 'example');
 * await db.transaction().execute(async (tx) => emails.enqueue(payload, { tx }));
 * ```
 */
export function openAppDatabase(pool: pg.Pool, schema: string): Kysely<AppDatabase> {
  // No `destroy()` for this instance: it would end the pool, which `pgq.close()` owns.
  return new Kysely<AppDatabase>({ dialect: new PostgresDialect({ pool }) }).withSchema(schema);
}
