import { ValidationError } from '@pgq/core';

/**
 * Checks an integer option at the API edge; throws `ValidationError` naming it.
 *
 * @example
 * ```ts
 * assertInteger('limit', 50, 1, 1_000);
 * ```
 */
export function assertInteger(
  option: string,
  value: unknown,
  minimum: number,
  maximum: number,
): void {
  if (!Number.isInteger(value) || (value as number) < minimum || (value as number) > maximum) {
    throw new ValidationError(
      `${option} must be an integer from ${minimum} to ${maximum}, got ${String(value)}`,
    );
  }
}

/** The largest value of a PostgreSQL `int`. */
export const maxInt32 = 2 ** 31 - 1;
