export {
  durationOption,
  integerOption,
  parseJsonArgument,
  positiveIntegerOption,
} from './argument-parsers.js';
export { CliContext, type GlobalOptions } from './cli-context.js';
export { type CliIo, processIo } from './cli-io.js';
export { connectionErrorFrom } from './connection-error-from.js';
export { type DashboardText, formatDashboard } from './dashboard/format-dashboard.js';
export {
  type DashboardSnapshot,
  type DashboardSnapshotOptions,
  type QueueSnapshot,
  readDashboardSnapshot,
} from './dashboard/read-dashboard-snapshot.js';
export { databaseUrlProblem, hidePassword } from './database-url.js';
export { describeError, ExitCode } from './describe-error.js';
export { ConfigError } from './errors/config-error.js';
export { ConnectionError } from './errors/connection-error.js';
export { NotFoundError } from './errors/not-found-error.js';
export { UsageError } from './errors/usage-error.js';
export { formatDuration } from './format-duration.js';
export { formatTable, type TableColumn } from './format-table.js';
export { parseDuration } from './parse-duration.js';
export { commandPath, createProgram } from './program.js';
export {
  type ConfigFile,
  type ConfigInputs,
  type ConfigSource,
  configFileName,
  type ResolvedConfig,
  resolveConfig,
} from './resolve-config.js';
export { run } from './run.js';
export { type WorkerListing, workersList } from './sql/workers-list.js';
