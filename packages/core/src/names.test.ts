import { describe, expect, it } from 'vitest';
import { InvalidNameError } from './errors/invalid-name-error.js';
import { PgqError } from './errors/pgq-error.js';
import { assertName, assertSchemaName, quoteIdentifier, quoteLiteral } from './names.js';

describe('assertName', () => {
  it.each(['emails', 'events.user_signup', 'emails:eu-west', '_private', 'a'.repeat(63), '0day'])(
    'accepts %s',
    (name) => {
      expect(assertName('queue', name)).toBe(name);
    },
  );

  it.each([
    ['empty', '', /must not be empty/],
    ['a quote', `emails'; drop table x; --`, /may contain only/],
    ['a double quote', 'em"ails', /may contain only/],
    ['a space', 'bad name', /may contain only/],
    ['200 characters', 'a'.repeat(200), /at most 63 characters/],
    ['a leading dot', '.hidden', /may contain only/],
    ['non-ASCII', 'émails', /may contain only/],
    ['a number', 42, /must be a string/],
  ])('rejects %s with InvalidNameError naming the rule', (_, name, rule) => {
    let thrown: unknown;
    try {
      assertName('channel', name);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidNameError);
    expect(PgqError.isInstance(thrown)).toBe(true);
    expect((thrown as InvalidNameError).code).toBe('PGQ_INVALID_NAME');
    expect((thrown as InvalidNameError).kind).toBe('channel');
    expect((thrown as InvalidNameError).message).toMatch(rule);
  });
});

describe('assertSchemaName', () => {
  it('accepts lower-case identifiers and rejects the rest', () => {
    expect(assertSchemaName('pgq_test_1')).toBe('pgq_test_1');
    for (const bad of ['', 'Pgq', '1pgq', 'pg q', 'pgq"', 'a'.repeat(64)]) {
      expect(() => assertSchemaName(bad)).toThrow(InvalidNameError);
    }
  });

  it.each(['pg_catalog', 'pg_toast', 'pg_temp', 'pg_temp_3', 'pg_pgq', 'information_schema'])(
    'refuses the system schema %s',
    (schema) => {
      expect(() => assertSchemaName(schema)).toThrow(/is a system schema/);
    },
  );

  it('accepts schemas that only look like system ones', () => {
    for (const schema of ['pgq', 'pg', 'pgcatalog', 'information_schema_copy', 'my_pg_schema']) {
      expect(assertSchemaName(schema)).toBe(schema);
    }
  });
});

describe('quoting', () => {
  it('doubles embedded quotes', () => {
    expect(quoteIdentifier('we"ird')).toBe('"we""ird"');
    expect(quoteLiteral("it's")).toBe("'it''s'");
  });
});
