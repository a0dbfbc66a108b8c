export type { JobState } from '@pgq/core';
export {
  defaultRetryOptions,
  type RetryOptions,
  resolveRetryOptions,
  retryDelayMs,
} from './backoff.js';
export type {
  EnqueueManyOptions,
  EnqueueOptions,
  EnqueueResult,
  JobSpec,
} from './enqueue-options.js';
export { JobCancelledError } from './errors/job-cancelled-error.js';
export { JobNotFoundError } from './errors/job-not-found-error.js';
export { UniqueKeyConflictError } from './errors/unique-key-conflict-error.js';
export type { Job } from './job.js';
export type { JobError } from './job-error.js';
export { Queue } from './queue.js';
export type {
  CompleteManyResult,
  CompleteOptions,
  Completion,
  DequeueOptions,
  FailOptions,
  FailResult,
  LeaseOptions,
  ListOptions,
  QueueSettings,
  QueueStats,
  WaitForOptions,
} from './queue-options.js';
export { type ListQueuesOptions, listQueues, type QueueListing } from './read/list-queues.js';
export { type ListWorkersOptions, listWorkers, type WorkerListing } from './read/list-workers.js';
export { locateJob } from './read/locate-job.js';
export {
  type QueueActivity,
  type QueuesSnapshot,
  type SnapshotQueuesOptions,
  snapshotQueues,
} from './read/snapshot-queues.js';
export { CronExpression } from './scheduler/cron-expression.js';
export { ScheduleFailedError } from './scheduler/errors/schedule-failed-error.js';
export { SchedulerStoppedError } from './scheduler/errors/scheduler-stopped-error.js';
export { Scheduler, type SchedulerState } from './scheduler/scheduler.js';
export type {
  CatchUpPolicy,
  Schedule,
  ScheduleDefinition,
  ScheduleFired,
  ScheduleJobOptions,
  SchedulerEvents,
  SchedulerOptions,
  ScheduleSkipped,
} from './scheduler/scheduler-options.js';
export { PoolTooSmallError } from './worker/errors/pool-too-small-error.js';
export { WorkerStoppedError } from './worker/errors/worker-stopped-error.js';
export { Worker, type WorkerState } from './worker/worker.js';
export type {
  JobContext,
  JobHandler,
  WorkerEvents,
  WorkerOptions,
  WorkerStopOptions,
} from './worker/worker-options.js';
