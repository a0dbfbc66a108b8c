import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, beforeAll } from 'vitest';
import { assertBuilt, type CliOptions, type CliResult, runCli } from './pgq-cli.js';

/** A test file's own pgq schema, and `pgq` pointed at it. Read its fields inside tests. */
export interface CliDatabase {
  readonly db: TestDatabase;
  /** `--database-url <url> --schema <schema>`, for `startCli` and `runCli`. */
  readonly on: string[];
  /** Runs `pgq <args>` against this schema to the end. */
  pgq(args: readonly string[], options?: CliOptions): Promise<CliResult>;
}

/**
 * The setup the CLI's test files share: before them, checks the binary is built and makes a
 * migrated schema of the file's own; after them, drops it. Call it at the top of the file.
 *
 * @example
 * ```ts
 * const cli = setupCliDatabase();
 * it('lists queues', async () => {
 *   expect((await cli.pgq(['queue', 'list'])).code).toBe(0);
 * });
 * ```
 */
export function setupCliDatabase(): CliDatabase {
  let db: TestDatabase | undefined;
  beforeAll(async () => {
    assertBuilt();
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.dispose();
  });
  const made = (): TestDatabase => {
    if (!db) throw new Error('setupCliDatabase: the schema is made in beforeAll; read it in tests');
    return db;
  };
  const on = (): string[] => ['--database-url', made().url, '--schema', made().schema];
  return {
    get db() {
      return made();
    },
    get on() {
      return on();
    },
    pgq: (args, options) => runCli([...args, ...on()], options),
  };
}
