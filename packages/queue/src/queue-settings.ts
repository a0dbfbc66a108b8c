import { ValidationError } from '@pgq/core';
import { assertInteger, maxInt32 } from './assert-integer.js';
import type { QueueSettings } from './queue-options.js';

/** A queue's settings as the `queues` table keeps them: retention in whole seconds. */
export interface StoredQueueSettings {
  maxAttempts: number;
  leaseMs: number;
  completedRetentionSeconds: number;
  deadRetentionSeconds: number;
}

type Given = { [Key in keyof StoredQueueSettings]: number | null };

const defaults: StoredQueueSettings = {
  maxAttempts: 3,
  leaseMs: 30_000,
  completedRetentionSeconds: 86_400,
  deadRetentionSeconds: 1_209_600,
};

// The longest retention a column of whole seconds (`int`) holds.
const maxRetentionMs = maxInt32 * 1_000;

/**
 * Checks `Queue.create`'s settings (`ValidationError` for a bad one) and returns them as
 * stored, with the defaults filled in (to create) and as given (to update an existing queue).
 */
export function resolveQueueSettings(settings: QueueSettings): {
  withDefaults: StoredQueueSettings;
  onlyGiven: Given;
  given: boolean;
} {
  const onlyGiven: Given = {
    maxAttempts: integerOrNull('maxAttempts', settings.maxAttempts, 1, maxInt32),
    leaseMs: integerOrNull('leaseMs', settings.leaseMs, 100, maxInt32),
    completedRetentionSeconds: retentionSeconds(
      'completedRetentionMs',
      settings.completedRetentionMs,
      'completedRetentionSeconds',
      settings.completedRetentionSeconds,
    ),
    deadRetentionSeconds: retentionSeconds(
      'deadRetentionMs',
      settings.deadRetentionMs,
      'deadRetentionSeconds',
      settings.deadRetentionSeconds,
    ),
  };
  const withDefaults = { ...defaults };
  let given = false;
  for (const key of Object.keys(defaults) as Array<keyof StoredQueueSettings>) {
    const value = onlyGiven[key];
    if (value === null) continue;
    withDefaults[key] = value;
    given = true;
  }
  return { withDefaults, onlyGiven, given };
}

// Milliseconds, or the deprecated seconds alias (both only when they agree), as stored: whole
// seconds, rounded up so a job is kept at least as long as asked.
function retentionSeconds(
  msName: string,
  ms: number | undefined,
  secondsName: string,
  seconds: number | undefined,
): number | null {
  const fromMs = integerOrNull(msName, ms, 0, maxRetentionMs);
  const fromSeconds = integerOrNull(secondsName, seconds, 0, maxInt32);
  if (fromMs === null) return fromSeconds;
  if (fromSeconds !== null && fromSeconds * 1_000 !== fromMs) {
    throw new ValidationError(
      `${msName} (${fromMs}) and the deprecated ${secondsName} (${fromSeconds}) disagree: give only ${msName}`,
    );
  }
  return Math.ceil(fromMs / 1_000);
}

function integerOrNull(
  name: string,
  value: number | undefined,
  minimum: number,
  maximum: number,
): number | null {
  if (value === undefined) return null;
  assertInteger(name, value, minimum, maximum);
  return value;
}
