import { assertName, type Contract, type StandardSchemaV1 } from '@pgq/core';
import { assertSchema, assertWholeNumber } from './assert.js';

/** Defaults a job contract applies to every `enqueue` that does not set them. */
export interface JobDefaults {
  /** Attempts before the job is dead. Default: the queue's own (3). */
  maxAttempts?: number;
  /** Higher runs first. Default 0. */
  priority?: number;
}

/** A queue's jobs: its name, the payload schema and the defaults. */
export interface JobContract<
  Name extends string = string,
  Schema extends StandardSchemaV1 = StandardSchemaV1,
> extends Contract<Name, Schema> {
  readonly kind: 'job';
  readonly defaults: Readonly<JobDefaults>;
}

/**
 * Defines the jobs of a queue. `Queue` and `Worker` take the contract in place of the
 * queue name and are then typed by it: the payload at `enqueue` and in the handler.
 * Payloads are validated at `enqueue` (nothing written when invalid) and in the worker (a
 * bad payload written by another program goes straight to `dead`).
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * export const sendEmail = defineJob('emails', z.object({ to: z.email(), template: z.string() }), {
 *   maxAttempts: 5,
 * });
 * await new Queue(pgq, sendEmail).enqueue({ to: 'ada@example.com', template: 'welcome' });
 * ```
 */
export function defineJob<const Name extends string, Schema extends StandardSchemaV1>(
  queue: Name,
  schema: Schema,
  defaults: JobDefaults = {},
): JobContract<Name, Schema> {
  assertName('queue', queue);
  assertSchema(schema, 'defineJob');
  if (defaults.maxAttempts !== undefined) assertWholeNumber('maxAttempts', defaults.maxAttempts, 1);
  if (defaults.priority !== undefined) assertWholeNumber('priority', defaults.priority);
  return Object.freeze({
    kind: 'job',
    name: queue,
    schema,
    defaults: Object.freeze({ ...defaults }),
  });
}
