import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hidePassword } from '../src/database-url.js';
import { assertBuilt, runCli } from './pgq-cli.js';

let db: TestDatabase;
let directory: string;
let emptyDirectory: string;

beforeAll(async () => {
  assertBuilt();
  db = await createTestDatabase();
  directory = mkdtempSync(join(tmpdir(), 'pgq-cli-config-'));
  emptyDirectory = mkdtempSync(join(tmpdir(), 'pgq-cli-empty-'));
  writeFileSync(
    join(directory, 'pgq.config.json'),
    JSON.stringify({ databaseUrl: db.url, schema: db.schema }),
  );
});

afterAll(async () => {
  rmSync(directory, { recursive: true, force: true });
  rmSync(emptyDirectory, { recursive: true, force: true });
  await db.dispose();
});

async function configIn(cwd: string, args: string[], env: Record<string, string> = {}) {
  const result = await runCli(['config', '--json', ...args], { cwd, env });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as {
    databaseUrl: string | null;
    schema: string;
    sources: { databaseUrl: string; schema: string };
    configFile: string | null;
  };
}

describe('config precedence: flags > env > pgq.config.json > defaults', () => {
  it('takes each setting from the highest source that has it', async () => {
    const flagUrl = 'postgres://flag@127.0.0.1:5432/flag';
    const pgqEnvUrl = 'postgres://pgq-env@127.0.0.1:5432/env';
    const envUrl = 'postgres://env@127.0.0.1:5432/env';
    const [fileOnly, env, pgqEnv, flags, defaults] = await Promise.all([
      configIn(directory, []),
      configIn(directory, [], { DATABASE_URL: envUrl }),
      configIn(directory, [], {
        DATABASE_URL: envUrl,
        PGQ_DATABASE_URL: pgqEnvUrl,
        PGQ_SCHEMA: 'from_env',
      }),
      configIn(directory, ['--database-url', flagUrl, '--schema', 'from_flag'], {
        DATABASE_URL: envUrl,
        PGQ_DATABASE_URL: pgqEnvUrl,
        PGQ_SCHEMA: 'from_env',
      }),
      configIn(emptyDirectory, []),
    ]);
    expect(fileOnly).toEqual({
      databaseUrl: hidePassword(db.url),
      schema: db.schema,
      sources: { databaseUrl: 'pgq.config.json', schema: 'pgq.config.json' },
      configFile: join(directory, 'pgq.config.json'),
    });
    expect(env).toMatchObject({
      databaseUrl: envUrl,
      schema: db.schema,
      sources: { databaseUrl: 'DATABASE_URL', schema: 'pgq.config.json' },
    });
    expect(pgqEnv).toMatchObject({
      databaseUrl: pgqEnvUrl,
      schema: 'from_env',
      sources: { databaseUrl: 'PGQ_DATABASE_URL', schema: 'PGQ_SCHEMA' },
    });
    expect(flags).toMatchObject({
      databaseUrl: flagUrl,
      schema: 'from_flag',
      sources: { databaseUrl: 'flag', schema: 'flag' },
    });
    expect(defaults).toEqual({
      databaseUrl: null,
      schema: 'pgq',
      sources: { databaseUrl: 'default', schema: 'default' },
      configFile: null,
    });
  });

  it('hides the password of the URL it shows', async () => {
    const shown = await configIn(emptyDirectory, [
      '--database-url',
      'postgres://ada:s3cret@db.example.com:5432/app',
    ]);
    expect(shown.databaseUrl).toBe('postgres://ada:***@db.example.com:5432/app');
  });

  it('hides a password given as ?password=, in pgq config and in the invalid-URL error', async () => {
    const shown = await configIn(emptyDirectory, [
      '--database-url',
      'postgres://ada@db.example.com:5432/app?password=s3cret',
    ]);
    expect(shown.databaseUrl).toBe('postgres://ada@db.example.com:5432/app?password=***');
    const table = await runCli(['config'], {
      cwd: emptyDirectory,
      env: { DATABASE_URL: 'postgres://ada:s3c@ret@db:99999/app?password=s3cret' },
    });
    expect(table.stdout).toContain('postgres://ada:***@db:99999/app?password=***');
    const malformed = await runCli(['verify'], {
      cwd: emptyDirectory,
      env: { DATABASE_URL: 'postgres://ada@db:99999/app?password=s3cret' },
    });
    expect(malformed.stderr).toBe(
      'error: Invalid database URL "postgres://ada@db:99999/app?password=***" from DATABASE_URL: not a valid URL (expected postgres://user:password@host:port/database)\n',
    );
    for (const output of [table.stdout, table.stderr, malformed.stdout, malformed.stderr]) {
      expect(output).not.toContain('s3c');
    }
  });

  it('runs real commands against the database and schema of pgq.config.json in the working directory', async () => {
    const [fromFile, overridden] = await Promise.all([
      runCli(['verify', '--json'], { cwd: directory }),
      // The flag wins over the file: this schema does not exist.
      runCli(['verify', '--json', '--schema', 'pgq_cli_not_here'], { cwd: directory }),
    ]);
    expect(fromFile.code).toBe(0);
    expect(JSON.parse(fromFile.stdout)).toMatchObject({ schema: db.schema, ok: true });
    expect(overridden.code).toBe(1);
    expect(JSON.parse(overridden.stdout)).toMatchObject({ schema: 'pgq_cli_not_here', ok: false });

    // The environment wins over the file: a server that is not there.
    const fromEnv = await runCli(['verify'], {
      cwd: directory,
      env: { PGQ_DATABASE_URL: 'postgres://postgres@127.0.0.1:1/postgres' },
    });
    expect(fromEnv.code).toBe(1);
    expect(fromEnv.stderr).toBe(
      'error: Cannot connect to PostgreSQL at 127.0.0.1:1: connection refused\n',
    );

    // A malformed URL is named with its source, password hidden, before anything connects.
    const malformed = await runCli(['verify'], {
      cwd: directory,
      env: { DATABASE_URL: 'postgres://ada:s3cret@db:99999/app' },
    });
    expect(malformed).toMatchObject({
      code: 1,
      stderr:
        'error: Invalid database URL "postgres://ada:***@db:99999/app" from DATABASE_URL: not a valid URL (expected postgres://user:password@host:port/database)\n',
    });
  });

  it('refuses a broken config file in one line with exit 1', async () => {
    const broken = mkdtempSync(join(tmpdir(), 'pgq-cli-broken-'));
    const typo = mkdtempSync(join(tmpdir(), 'pgq-cli-typo-'));
    try {
      writeFileSync(join(broken, 'pgq.config.json'), '{ "schema": ');
      writeFileSync(join(typo, 'pgq.config.json'), '{ "databaseURL": "postgres://x" }');
      const [notJson, unknownKey] = await Promise.all([
        runCli(['verify'], { cwd: broken }),
        runCli(['config'], { cwd: typo }),
      ]);
      expect(notJson.code).toBe(1);
      expect(notJson.stderr).toMatch(
        /^error: Invalid config file .*pgq\.config\.json: not valid JSON/,
      );
      expect(unknownKey.code).toBe(1);
      expect(unknownKey.stderr).toContain(
        'unknown key "databaseURL" (allowed: databaseUrl, schema)',
      );
    } finally {
      rmSync(broken, { recursive: true, force: true });
      rmSync(typo, { recursive: true, force: true });
    }
  });
});
