export { MigrationFailedError } from './errors/migration-failed-error.js';
export { type MigrateResult, migrate } from './migrate.js';
export { latestVersion, type Migration, migrations } from './migrations.js';
export { renderMigration } from './render.js';
export { uninstall } from './uninstall.js';
export { type VerifyResult, verify } from './verify.js';
