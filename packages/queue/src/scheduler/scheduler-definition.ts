import {
  assertName,
  isContract,
  type StandardSchemaV1,
  ValidationError,
  validate,
} from '@pgq/core';
import { toJsonText } from '@pgq/core/internal';
import { assertInteger } from '../assert-integer.js';
import { toInsertInput } from '../enqueue-options.js';
import { CronExpression } from './cron-expression.js';
import type { CatchUpPolicy, ScheduleDefinition, ScheduleJobOptions } from './scheduler-options.js';

/**
 * A schedule checked at the API edge, ready to store.
 *
 * @example
 * ```ts
 * const resolved: ResolvedSchedule = await resolveSchedule(name, definition, pgq.maxValueBytes);
 * ```
 */
export interface ResolvedSchedule {
  name: string;
  cron: CronExpression;
  queue: string;
  /** JSON text. */
  payload: string;
  options: ScheduleJobOptions;
  catchUp: CatchUpPolicy;
  graceMs: number;
}

/** `graceMs` when not given: one minute. */
export const defaultGraceMs = 60_000;

const definitionKeys = new Set([
  'cron',
  'timezone',
  'queue',
  'payload',
  'options',
  'catchUp',
  'graceMs',
]);
const optionKeys = new Set(['priority', 'maxAttempts', 'uniqueKey', 'delayMs']);
const catchUpPolicies: ReadonlySet<string> = new Set(['none', 'latest', 'all']);

/**
 * Checks a schedule before anything is stored: its name, cron expression, time zone, queue
 * name, payload (as JSON of at most `maxValueBytes`, and by the contract when `queue` is one),
 * job options, `catchUp` and `graceMs`. Unknown keys are refused, so a misspelt `timeZone`
 * cannot silently mean UTC. Throws `InvalidNameError`, `ValidationError` or
 * `PayloadTooLargeError`.
 *
 * @example
 * ```ts
 * const { cron, queue, payload } = await resolveSchedule('nightly', { cron: '0 3 * * *', queue: 'reports' }, pgq.maxValueBytes);
 * ```
 */
export async function resolveSchedule(
  name: unknown,
  definition: ScheduleDefinition,
  maxValueBytes: number,
): Promise<ResolvedSchedule> {
  const checkedName = assertName('schedule', name);
  if (typeof definition !== 'object' || definition === null || Array.isArray(definition)) {
    throw new ValidationError('Invalid schedule: expected { cron, queue, ... }');
  }
  refuseUnknownKeys(definition, definitionKeys, []);
  const cron = new CronExpression(definition.cron, definition.timezone ?? 'UTC');
  const target = definition.queue;
  const queue = assertName('queue', isContract(target) ? target.name : target);
  const payload = definition.payload ?? null;
  if (isContract(target)) await validate(target.schema as StandardSchemaV1, payload);
  const options = resolveJobOptions(definition.options, isContract(target) ? target : undefined);
  // Every tick copies it into a job: the limit of job payloads.
  const payloadText = toJsonText(payload, 'payload', maxValueBytes);
  // The same checks enqueue makes, now rather than at the first tick.
  toInsertInput(payloadText, options);
  const catchUp = definition.catchUp ?? 'latest';
  if (!catchUpPolicies.has(catchUp)) {
    throw new ValidationError('Invalid schedule', [
      { path: ['catchUp'], message: `must be 'none', 'latest' or 'all', got ${String(catchUp)}` },
    ]);
  }
  const graceMs = definition.graceMs ?? defaultGraceMs;
  assertInteger('graceMs', graceMs, 1_000, 86_400_000);
  return { name: checkedName, cron, queue, payload: payloadText, options, catchUp, graceMs };
}

function resolveJobOptions(
  options: ScheduleJobOptions | undefined,
  contract: { defaults?: { priority?: number; maxAttempts?: number } } | undefined,
): ScheduleJobOptions {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new ValidationError('Invalid schedule', [
      { path: ['options'], message: 'must be an object' },
    ]);
  }
  refuseUnknownKeys(options ?? {}, optionKeys, ['options']);
  const resolved: ScheduleJobOptions = {
    priority: options?.priority ?? contract?.defaults?.priority,
    maxAttempts: options?.maxAttempts ?? contract?.defaults?.maxAttempts,
    uniqueKey: options?.uniqueKey,
    delayMs: options?.delayMs,
  };
  return Object.fromEntries(
    Object.entries(resolved).filter(([, value]) => value !== undefined),
  ) as ScheduleJobOptions;
}

function refuseUnknownKeys(value: object, known: ReadonlySet<string>, path: string[]): void {
  const unknown = Object.keys(value).filter((key) => !known.has(key));
  if (unknown.length > 0) {
    throw new ValidationError(
      'Invalid schedule',
      unknown.map((key) => ({
        path: [...path, key],
        message: `unknown option (expected one of ${[...known].join(', ')})`,
      })),
    );
  }
}
