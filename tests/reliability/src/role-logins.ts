import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { connect, type Pgq } from '@pgq/core';
import { renderMigration } from '@pgq/migrate';
import type { TestDatabase } from '@pgq/testing';
import { afterAll, beforeAll } from 'vitest';
import { createLoginRole, dropRole } from './login-role.js';

const rolesFile = new URL('../../../docs/roles.sql', import.meta.url);
const groupRoles = ['pgq_producer', 'pgq_worker'] as const;

/** A producer and a worker login of `docs/roles.sql`, connected to the test schema. */
export interface RoleLogins {
  /** Logs in as a member of `pgq_producer`. */
  producer: Pgq;
  /** Logs in as a member of `pgq_worker`. */
  worker: Pgq;
  /** Prefix of both login names: snapshots count roles by it. */
  marker: string;
}

/**
 * Applies `docs/roles.sql` to the file's schema (twice: it is meant to be run again after
 * every migrate), makes a producer and a worker login mapped to `queues` in `role_queues`, and
 * connects as each, in `beforeAll`. In `afterAll` (before `useTestDatabase` disposes) it
 * closes them, drops the schema, whose grants would keep the roles, then the logins and the
 * group roles if this file created them. Returns at once, like `useTestDatabase`.
 *
 * @example
 * ```ts
 * const db = useTestDatabase();
 * const roles = useRoleLogins(db, ['emails']);
 * it('enqueues', async () => { await new Queue(roles.producer, 'emails').enqueue({}); });
 * ```
 */
export function useRoleLogins(db: TestDatabase, queues: readonly string[]): RoleLogins {
  const marker = `pgq_t${randomBytes(4).toString('hex')}`;
  const logins: string[] = [];
  let createdGroups: string[] = [];
  const opened: Pgq[] = [];
  const roles = { marker } as RoleLogins;
  beforeAll(async () => {
    const admin = db.pgq;
    const { rows } = await admin.pool.query<{ rolname: string }>(
      'select rolname from pg_roles where rolname = any($1)',
      [groupRoles],
    );
    createdGroups = groupRoles.filter((role) => !rows.some((row) => row.rolname === role));
    const sql = renderMigration(await readFile(rolesFile, 'utf8'), db.schema);
    await admin.pool.query(sql);
    await admin.pool.query(sql);
    for (const kind of ['producer', 'worker'] as const) {
      const login = await createLoginRole(admin, db.url, `${marker}_${kind}`, `pgq_${kind}`);
      logins.push(login.name);
      await admin.query(
        `insert into ${admin.table('role_queues')} (role_id, queue)
         select $1::text::regrole, unnest($2::text[])`,
        [login.name, queues],
      );
      const pgq = connect({ connectionString: login.url, schema: db.schema });
      opened.push(pgq);
      roles[kind] = pgq;
    }
  });
  afterAll(async () => {
    await Promise.all(opened.map((pgq) => pgq.close()));
    const admin = db.pgq;
    await admin.pool.query(`drop schema if exists ${admin.quotedSchema} cascade`);
    for (const login of logins) await dropRole(admin, login);
    // Cluster-wide roles: dropped only if this file made them and nothing else (another
    // schema or database) still holds grants for them.
    for (const group of createdGroups) await dropRole(admin, group).catch(() => {});
  });
  return roles;
}
