import { quoteIdentifier } from '@pgq/core';
import { quoteLiteral } from '@pgq/core/internal';

/**
 * Fills in psql's placeholders the way `psql -v schema=...` does: `:"schema"` becomes the
 * quoted identifier and `:'schema'` the quoted literal.
 */
export function renderMigration(sql: string, schema: string): string {
  return sql
    .replaceAll(':"schema"', quoteIdentifier(schema))
    .replaceAll(":'schema'", quoteLiteral(schema));
}
