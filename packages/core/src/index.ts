export { type ConnectOptions, connect } from './connect.js';
export {
  type Contract,
  type ContractDefaults,
  type ContractInput,
  type ContractOutput,
  isContract,
  type MethodContract,
  type MethodResponseInput,
  type MethodResponseOutput,
  nameOf,
  type StandardSchemaV1,
  validate,
} from './contract.js';
export type {
  CacheEntryTable,
  JobArchiveTable,
  JobState,
  JobTable,
  MigrationTable,
  PgqDatabase,
  PubsubPayloadTable,
  QueueTable,
  RpcReplyTable,
  ScheduleTable,
  WorkerTable,
} from './database.js';
export { ClosedError } from './errors/closed-error.js';
export { InvalidNameError, type NameKind } from './errors/invalid-name-error.js';
export { LeaseLostError } from './errors/lease-lost-error.js';
export { NotInstalledError } from './errors/not-installed-error.js';
export { NotifyQueueFullError } from './errors/notify-queue-full-error.js';
export {
  PayloadTooLargeError,
  type PayloadTooLargeErrorOptions,
} from './errors/payload-too-large-error.js';
export { PgqError, type PgqErrorOptions } from './errors/pgq-error.js';
export type { PgqErrorCode } from './errors/pgq-error-code.js';
export { QueueNotFoundError } from './errors/queue-not-found-error.js';
export { RemoteError } from './errors/remote-error.js';
export { SqlState, sqlStateOf } from './errors/sql-state.js';
export { TimeoutError } from './errors/timeout-error.js';
export { ValidationError, type ValidationIssue } from './errors/validation-error.js';
export type { Executor, PgQueryable, TxOptions } from './executor.js';
export {
  type HealthOptions,
  type HealthReport,
  type HealthWarning,
  health,
  type TableHealth,
  type XminHolder,
} from './health.js';
export type { ServiceState } from './lifecycle/service.js';
export {
  Listener,
  type ListenerClient,
  type ListenerOptions,
  type NotificationHandler,
} from './listener.js';
export { type Logger, silentLogger } from './logger.js';
export {
  assertName,
  assertSchemaName,
  maxNameLength,
  quoteIdentifier,
} from './names.js';
export { Pgq, type QueryOptions } from './pgq.js';
export { defaultMaxValueBytes, maxValueBytesCeiling } from './value-size.js';
