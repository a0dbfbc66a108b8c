import { ValidationError } from '@pgq/core';

// setTimeout's longest delay: anything above fires at once.
const maxDelayMs = 2 ** 31 - 1;

/** Checks an optional whole-number option and returns it, or `fallback` when undefined. */
export function wholeNumber(
  name: string,
  value: number | undefined,
  fallback: number,
  minimum: number,
  maximum = maxDelayMs,
): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < minimum || value > maximum) {
    throw new ValidationError(
      `${name} must be a whole number from ${minimum} to ${maximum}, got ${String(value)}`,
    );
  }
  return value;
}
