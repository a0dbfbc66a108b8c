// What a test file sets up once, named at its top: its server, its schema, its figure line.
// Vitest runs `afterAll` hooks in reverse ("stack"), so a file's own teardown, registered
// after these, runs before the schema is dropped and the server stopped.
import {
  createTestDatabase,
  type EmbeddedServer,
  type StartPostgresOptions,
  startPostgres,
  type TestDatabase,
} from '@pgq/testing';
import { afterAll, beforeAll } from 'vitest';
import { installLedger } from './checker.js';
import { figureLine } from './fuzz.js';

/** Options of `useTestDatabase`. */
export interface UseTestDatabaseOptions {
  /** Install the checker's ledger tables (`installLedger`). Default `false`. */
  ledger?: boolean;
  /** Take the schema on this server (see `useEmbeddedServer`). Default: `DATABASE_URL`. */
  server?: EmbeddedServer;
  /** Runs before the schema is dropped, when it was created; the drop follows even if it throws. */
  beforeDispose?: (db: TestDatabase) => Promise<void>;
}

/**
 * Gives the test file a schema of its own (`createTestDatabase`) in `beforeAll` and disposes
 * it in `afterAll`. Returns it at once: use it in tests and hooks, not at the top level.
 *
 * @example
 * ```ts
 * const db = useTestDatabase({ ledger: true });
 * it('drains', async () => { await new Queue(db.pgq, 'q').create(); });
 * ```
 */
export function useTestDatabase(options: UseTestDatabaseOptions = {}): TestDatabase {
  const [db, set] = lateBound<TestDatabase>('the test database');
  let created: TestDatabase | undefined;
  beforeAll(async () => {
    created = await createTestDatabase(options.server ? { url: options.server.url } : {});
    set(created);
    if (options.ledger) await installLedger(created.pgq);
  });
  afterAll(async () => {
    if (!created) return;
    try {
      await options.beforeDispose?.(created);
    } finally {
      await created.dispose();
    }
  });
  return db;
}

/**
 * Starts a PostgreSQL of the file's own in `beforeAll` and stops it in `afterAll`, for tests
 * that stop, crash or restart the server. Returns it at once, like `useTestDatabase`.
 *
 * @example
 * ```ts
 * const server = useEmbeddedServer({ durable: true });
 * const db = useTestDatabase({ server });
 * ```
 */
export function useEmbeddedServer(options: StartPostgresOptions = {}): EmbeddedServer {
  const [server, set] = lateBound<EmbeddedServer>('the embedded server');
  let started: EmbeddedServer | undefined;
  beforeAll(async () => {
    started = await startPostgres(options);
    set(started);
  });
  afterAll(async () => {
    await started?.stop();
  });
  return server;
}

/**
 * Figures the file's tests fill in as they run, printed as one `figureLine` once they have
 * all run (failed ones included). `first` comes first on the line.
 *
 * @example
 * ```ts
 * const figures = useFigures('fuzz keys', { seed: fuzzSeed });
 * it('...', () => { figures.keys = '12pairs/3refused'; });
 * ```
 */
export function useFigures(
  title: string,
  first: Record<string, string | number> = {},
): Record<string, string | number> {
  const figures = { ...first };
  afterAll(() => {
    console.log(figureLine(title, figures));
  });
  return figures;
}

/**
 * A stand-in for a value made later (in `beforeAll`): reads go to the value once `set`, and
 * throw before.
 */
function lateBound<T extends object>(name: string): [T, (value: T) => void] {
  let value: T | undefined;
  const standIn = new Proxy({} as T, {
    get(_, key) {
      if (value === undefined) {
        throw new Error(`${name} is not ready: its beforeAll failed or has not run`);
      }
      const property: unknown = Reflect.get(value, key, value);
      return typeof property === 'function' ? property.bind(value) : property;
    },
  });
  return [
    standIn,
    (made) => {
      value = made;
    },
  ];
}
