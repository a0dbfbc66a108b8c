import { ValidationError } from '@pgq/core';
import type { QueueSettings } from './queue-options.js';

type Resolved = Required<QueueSettings>;
type Given = { [Key in keyof QueueSettings]-?: number | null };

const defaults: Resolved = {
  maxAttempts: 3,
  leaseMs: 30_000,
  completedRetentionSeconds: 86_400,
  deadRetentionSeconds: 1_209_600,
};

const minimums: Resolved = {
  maxAttempts: 1,
  leaseMs: 100,
  completedRetentionSeconds: 0,
  deadRetentionSeconds: 0,
};

/**
 * Checks `Queue.create`'s settings (`ValidationError` for a bad one) and returns them with
 * the defaults filled in (to create) and as given (to update an existing queue).
 */
export function resolveQueueSettings(settings: QueueSettings): {
  withDefaults: Resolved;
  onlyGiven: Given;
  given: boolean;
} {
  const withDefaults = { ...defaults };
  const onlyGiven: Given = {
    maxAttempts: null,
    leaseMs: null,
    completedRetentionSeconds: null,
    deadRetentionSeconds: null,
  };
  let given = false;
  for (const key of Object.keys(defaults) as Array<keyof Resolved>) {
    const value = settings[key];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < minimums[key] || value > 2 ** 31 - 1) {
      throw new ValidationError(
        `${key} must be an integer of at least ${minimums[key]}, got ${String(value)}`,
      );
    }
    withDefaults[key] = value;
    onlyGiven[key] = value;
    given = true;
  }
  return { withDefaults, onlyGiven, given };
}
