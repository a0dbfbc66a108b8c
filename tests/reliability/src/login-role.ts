import { randomBytes } from 'node:crypto';
import { type Pgq, quoteIdentifier } from '@pgq/core';
import { quoteLiteral } from '@pgq/core/internal';

/** A login role made for a test: its name and a URL that logs in as it. */
export interface LoginRole {
  name: string;
  url: string;
}

/**
 * Creates a login role with a random password, a member of `memberOf` (of no role when
 * undefined: a plain login with no grants), and returns a URL that
 * logs in as it (the embedded server checks passwords; a trust server ignores them). Needs a
 * superuser or CREATEROLE on `admin`. Drop it with `dropRole`.
 *
 * @example
 * ```ts
 * const producer = await createLoginRole(db.pgq, db.url, 'app_producer_1a2b', 'pgq_producer');
 * const pgq = connect({ connectionString: producer.url, schema: db.schema });
 * ```
 */
export async function createLoginRole(
  admin: Pgq,
  url: string,
  name: string,
  memberOf: string | undefined,
): Promise<LoginRole> {
  const password = randomBytes(12).toString('hex');
  // CREATE ROLE takes no parameters: the password goes in as a quoted literal.
  await admin.pool.query(
    `create role ${quoteIdentifier(name)} login password ${quoteLiteral(password)}${
      memberOf === undefined ? '' : ` in role ${quoteIdentifier(memberOf)}`
    }`,
  );
  const login = new URL(url);
  login.username = name;
  login.password = password;
  return { name, url: login.toString() };
}

/** Drops a role when it exists. */
export async function dropRole(admin: Pgq, name: string): Promise<void> {
  await admin.pool.query(`drop role if exists ${quoteIdentifier(name)}`);
}
