/**
 * Every `code` a pgq error can carry, whichever package threw it; each has its own error
 * class (`PGQ_CLOSED`: `ClosedError`, …). Codes are stable: a new one may be added in a minor
 * release, none is renamed or removed outside a major one.
 *
 * @example
 * ```ts
 * function retryable(code: PgqErrorCode): boolean {
 *   return code === 'PGQ_TIMEOUT' || code === 'PGQ_PUBLISH_FAILED';
 * }
 * ```
 */
export type PgqErrorCode =
  // @pgq/core
  | 'PGQ_CLOSED'
  | 'PGQ_INVALID_NAME'
  | 'PGQ_LEASE_LOST'
  | 'PGQ_NOT_INSTALLED'
  | 'PGQ_NOTIFY_QUEUE_FULL'
  | 'PGQ_PAYLOAD_TOO_LARGE'
  | 'PGQ_QUEUE_NOT_FOUND'
  | 'PGQ_REMOTE'
  | 'PGQ_TIMEOUT'
  | 'PGQ_VALIDATION'
  // @pgq/migrate
  | 'PGQ_MIGRATION_FAILED'
  // @pgq/queue
  | 'PGQ_JOB_CANCELLED'
  | 'PGQ_JOB_NOT_FOUND'
  | 'PGQ_POOL_TOO_SMALL'
  | 'PGQ_SCHEDULE_FAILED'
  | 'PGQ_SCHEDULER_STOPPED'
  | 'PGQ_UNIQUE_KEY_CONFLICT'
  | 'PGQ_WORKER_STOPPED'
  // @pgq/pubsub
  | 'PGQ_MESSAGE_DECODE'
  | 'PGQ_MESSAGE_REJECTED'
  | 'PGQ_PAYLOAD_EXPIRED'
  | 'PGQ_PAYLOAD_FETCH'
  | 'PGQ_PUBLISH_FAILED'
  | 'PGQ_PUBSUB_KEY'
  | 'PGQ_PUSH_SUBSCRIPTION'
  | 'PGQ_SUBSCRIBE_FAILED'
  // @pgq/rpc
  | 'PGQ_RPC_EXPIRED'
  // @pgq/cli
  | 'PGQ_CLI_CONFIG'
  | 'PGQ_CLI_CONNECTION'
  | 'PGQ_CLI_NOT_FOUND'
  | 'PGQ_CLI_USAGE';
