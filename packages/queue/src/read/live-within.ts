import { ValidationError } from '@pgq/core';

/**
 * How recently a worker must have heartbeated to count as live, by default: 30 000 ms, six
 * missed heartbeats at the worker's default 5 s.
 */
export const defaultLiveWithinMs = 30_000;

/**
 * The `liveWithinMs` option of the read functions, checked at the API edge (a finite
 * duration of 0 or more, fractions allowed) or defaulted; throws `ValidationError`.
 *
 * @example
 * ```ts
 * liveWithinMs(undefined); // 30000
 * ```
 */
export function liveWithinMs(value: unknown): number {
  if (value === undefined) return defaultLiveWithinMs;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ValidationError(
      `liveWithinMs must be a finite number of milliseconds, 0 or more, got ${String(value)}`,
    );
  }
  return value;
}
