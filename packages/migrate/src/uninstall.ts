import { type Pgq, quoteIdentifier, SqlState, sqlStateOf } from '@pgq/core';
import { schemaObjects } from './objects.js';

/**
 * Drops every pgq object from `pgq.schema`, newest first, and then the schema itself when
 * nothing else is left in it. The app's own objects in a shared schema are left alone.
 * Deletes all jobs, messages and cache entries: there is no undo.
 *
 * @example
 * ```ts
 * await uninstall(pgq);
 * ```
 */
export async function uninstall(pgq: Pgq): Promise<void> {
  const schema = pgq.quotedSchema;
  const statements = [...schemaObjects].reverse().map((object) => {
    if (object.kind === 'function') {
      const open = object.name.indexOf('(');
      return `drop function if exists ${schema}.${quoteIdentifier(object.name.slice(0, open))}${object.name.slice(open)} cascade`;
    }
    return `drop ${object.kind} if exists ${schema}.${quoteIdentifier(object.name)} cascade`;
  });
  const client = await pgq.pool.connect();
  try {
    await client.query('begin');
    for (const statement of statements) await client.query(statement);
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
  try {
    await pgq.pool.query(`drop schema if exists ${schema}`);
  } catch (error) {
    // The schema holds the app's own objects too: leave it.
    if (
      sqlStateOf(error) !== SqlState.dependentObjectsStillExist &&
      sqlStateOf(error) !== SqlState.invalidSchemaName
    )
      throw error;
  }
}
