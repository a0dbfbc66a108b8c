import { InvalidNameError, type NameKind } from './errors/invalid-name-error.js';

/** Longest queue, channel or namespace name: PostgreSQL's identifier limit (63 bytes). */
export const maxNameLength = 63;

// Dots, colons and dashes are allowed so names read like `events.user_signup` or `emails:eu`.
const namePattern = /^[A-Za-z0-9_][A-Za-z0-9_.:-]*$/;
const schemaPattern = /^[a-z_][a-z0-9_]*$/;

/**
 * Checks a queue, channel or namespace name and returns it. Names are 1–63 ASCII
 * characters: letters, digits, `_`, `.`, `:` and `-`, not starting with punctuation
 * other than `_`. Throws `InvalidNameError` naming the rule that was broken.
 *
 * @example
 * ```ts
 * assertName('queue', 'emails'); // 'emails'
 * assertName('queue', 'bad name'); // throws InvalidNameError
 * ```
 */
export function assertName(kind: NameKind, name: unknown): string {
  if (typeof name !== 'string') throw new InvalidNameError(kind, name, 'must be a string');
  if (name.length === 0) throw new InvalidNameError(kind, name, 'must not be empty');
  if (name.length > maxNameLength) {
    throw new InvalidNameError(kind, name, `must be at most ${maxNameLength} characters`);
  }
  if (!namePattern.test(name)) {
    throw new InvalidNameError(
      kind,
      name,
      'may contain only letters, digits, "_", ".", ":" and "-", and must start with a letter, digit or "_"',
    );
  }
  return name;
}

// PostgreSQL's own schemas: `pg_catalog` (whose objects every unqualified name resolves to
// first), `pg_toast`, `pg_temp_*`, and the SQL standard's `information_schema`. Tables made
// there would sit among the system's, and PostgreSQL reserves the `pg_` prefix.
const systemSchemaPattern = /^(pg_|information_schema$)/;

/**
 * Checks a schema name: a lower-case SQL identifier (`[a-z_][a-z0-9_]*`, at most 63 characters),
 * so it reads the same quoted and unquoted, and not a system schema (`pg_*`,
 * `information_schema`). Throws `InvalidNameError` naming the rule that was broken.
 *
 * @example
 * ```ts
 * assertSchemaName('pgq'); // 'pgq'
 * assertSchemaName('pg_catalog'); // throws InvalidNameError: a system schema
 * ```
 */
export function assertSchemaName(schema: unknown): string {
  if (typeof schema !== 'string' || schema.length === 0) {
    throw new InvalidNameError('schema', schema, 'must be a non-empty string');
  }
  if (schema.length > maxNameLength) {
    throw new InvalidNameError('schema', schema, `must be at most ${maxNameLength} characters`);
  }
  if (!schemaPattern.test(schema)) {
    throw new InvalidNameError(
      'schema',
      schema,
      'must be a lower-case identifier: letters a-z, digits and "_", not starting with a digit',
    );
  }
  if (systemSchemaPattern.test(schema)) {
    throw new InvalidNameError(
      'schema',
      schema,
      'is a system schema (pg_* and information_schema belong to PostgreSQL): pick a schema of your own, e.g. "pgq"',
    );
  }
  return schema;
}

/** Quotes an SQL identifier. Every name that reaches SQL text goes through here. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes an SQL string literal, for the rare statement that cannot take a parameter. */
export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
