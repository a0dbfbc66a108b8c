export {
  type EmbeddedServer,
  type StartPostgresOptions,
  type StopOptions,
  startPostgres,
} from './start-postgres.js';
export {
  createTestDatabase,
  type TestDatabase,
  type TestDatabaseOptions,
} from './test-database.js';
