import { ValidationError } from '@pgq/core';

/**
 * Reads a whole-number option: `fallback` when undefined, `ValidationError` when not a
 * safe integer of at least `minimum`.
 *
 * @example
 * ```ts
 * wholeNumber('highWaterMark', options.highWaterMark, 10_000, 1);
 * ```
 */
export function wholeNumber(
  option: string,
  value: number | undefined,
  fallback: number,
  minimum: number,
): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < minimum) {
    throw new ValidationError(
      `${option} must be a whole number of at least ${minimum}, got ${String(value)}`,
    );
  }
  return value;
}
