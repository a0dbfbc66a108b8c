import { randomBytes } from 'node:crypto';
import { latestVersion } from '@pgq/migrate';
import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runCli } from './pgq-cli.js';

let db: TestDatabase;
let url: string;

beforeAll(async () => {
  assertBuilt();
  // Not migrated: the commands under test install it.
  db = await createTestDatabase({ migrate: false });
  url = db.url;
});

afterAll(async () => {
  await db.dispose();
});

const on = (schema: string) => ['--database-url', url, '--schema', schema];

describe('pgq migrate | verify | uninstall', () => {
  it('installs, verifies and uninstalls a schema, with tables for people and JSON for machines', async () => {
    const schema = db.schema;
    const before = await runCli(['verify', ...on(schema)]);
    expect(before.code).toBe(1);
    expect(before.stdout).toContain('run `pgq migrate`');

    const migrated = await runCli(['migrate', ...on(schema)]);
    expect(migrated).toMatchObject({ code: 0, stderr: '' });
    expect(migrated.stdout).toContain(`Applied 0001_core`);
    expect(migrated.stdout).toContain(`(version ${latestVersion})`);

    const [again, verified, verifiedJson] = await Promise.all([
      runCli(['migrate', '--json', ...on(schema)]),
      runCli(['verify', ...on(schema)]),
      runCli(['verify', ...on(schema), '--json']),
    ]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ schema, applied: [], version: latestVersion });
    expect(verified).toMatchObject({ code: 0, stderr: '' });
    expect(verified.stdout).toContain(`OK: schema "${schema}" is at version ${latestVersion}`);
    expect(JSON.parse(verifiedJson.stdout)).toMatchObject({
      schema,
      ok: true,
      installedVersion: latestVersion,
      problems: [],
    });

    const tables = await db.pgq.query<{ count: string }>(
      `select count(*) from pg_tables where schemaname = $1`,
      [schema],
    );
    expect(Number(tables[0]!.count)).toBeGreaterThan(5);

    const refused = await runCli(['uninstall', ...on(schema)]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^error: .*Refusing without --yes/);
    expect((await runCli(['verify', ...on(schema)])).code).toBe(0);

    const uninstalled = await runCli(['uninstall', '--yes', ...on(schema)]);
    expect(uninstalled).toMatchObject({ code: 0, stderr: '' });
    const left = await db.pgq.query(`select 1 from pg_namespace where nspname = $1`, [schema]);
    expect(left).toHaveLength(0);

    const after = await runCli(['verify', '--json', ...on(schema)]);
    expect(after.code).toBe(1);
    expect(JSON.parse(after.stdout)).toMatchObject({ ok: false, installedVersion: 0 });
  });

  it('reports verify problems for a damaged schema and exits 1', async () => {
    const schema = `test_${randomBytes(6).toString('hex')}`;
    try {
      expect((await runCli(['migrate', ...on(schema)])).code).toBe(0);
      await db.pgq.query(`drop table "${schema}".cache_entries`);
      const result = await runCli(['verify', ...on(schema)]);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('cache_entries is missing');
    } finally {
      await db.pgq.query(`drop schema if exists "${schema}" cascade`);
    }
  });

  it('says to run `pgq migrate` when a command needs a schema that is not installed', async () => {
    const schema = `test_${randomBytes(6).toString('hex')}`;
    const results = await Promise.all([
      runCli(['queue', 'list', ...on(schema)]),
      runCli(['job', 'send', 'emails', '{}', ...on(schema)]),
      runCli(['cache', 'get', 'k', ...on(schema)]),
      runCli(['workers', ...on(schema)]),
      runCli(['dashboard', '--once', ...on(schema)]),
    ]);
    for (const result of results) {
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(
        `error: pgq is not installed in schema "${schema}" (or is out of date): run \`pgq migrate\` (or migrate() from @pgq/migrate)\n`,
      );
    }
  });

  it('names the host and port it could not connect to, in one line, and exits 1', async () => {
    const [refused, unknownHost, badLogin] = await Promise.all([
      runCli(['verify', '--database-url', 'postgres://postgres@127.0.0.1:1/postgres']),
      runCli([
        'queue',
        'list',
        '--database-url',
        'postgres://postgres@pgq-no-such-host.invalid:5432/db',
      ]),
      runCli(['migrate', '--database-url', urlWithUser(url, 'pgq_no_such_role')]),
    ]);
    expect(refused).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'error: Cannot connect to PostgreSQL at 127.0.0.1:1: connection refused\n',
    });
    expect(unknownHost.code).toBe(1);
    expect(unknownHost.stderr).toMatch(
      /^error: Cannot connect to PostgreSQL at pgq-no-such-host\.invalid:5432: host (not found|name lookup failed)\n$/,
    );
    expect(badLogin.code).toBe(1);
    const { hostname, port } = new URL(url);
    expect(badLogin.stderr).toContain(
      `error: Cannot connect to PostgreSQL at ${hostname}:${port}:`,
    );
    expect(badLogin.stderr).toContain('pgq_no_such_role');
    expect(badLogin.stderr.trim().split('\n')).toHaveLength(1);
  });
});

function urlWithUser(base: string, user: string): string {
  const parsed = new URL(base);
  // The password stays: with password auth the server then names the role it refused.
  parsed.username = user;
  return parsed.toString();
}
