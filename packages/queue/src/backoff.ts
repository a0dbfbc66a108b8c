import { ValidationError } from '@pgq/core';

/**
 * How long a failed job waits before its next attempt: `baseMs * factor^(attempt - 1)`,
 * capped at `maxMs`. With `jitter`, a random delay between half and all of that, so jobs that
 * failed together (an outage) do not all come back in the same instant.
 *
 * @example
 * ```ts
 * const retry: RetryOptions = { baseMs: 1_000, factor: 2, maxMs: 3_600_000, jitter: true };
 * new Worker(pgq, 'emails', handler, { retry });
 * ```
 */
export interface RetryOptions {
  /** Delay after the first failed attempt. Default 1000 ms. */
  baseMs: number;
  /** Growth per further attempt. Default 2. */
  factor: number;
  /** Longest delay. Default 3 600 000 ms (one hour). */
  maxMs: number;
  /** Randomise each delay within [delay / 2, delay]. Default true. */
  jitter: boolean;
}

/**
 * The default retry policy: 1 s, 2 s, 4 s, ... up to one hour, with jitter.
 *
 * @example
 * ```ts
 * const patient = { ...defaultRetryOptions, maxMs: 86_400_000 };
 * ```
 */
export const defaultRetryOptions: Readonly<RetryOptions> = Object.freeze({
  baseMs: 1_000,
  factor: 2,
  maxMs: 3_600_000,
  jitter: true,
});

/**
 * Fills in the defaults and checks each field; throws `ValidationError` for a bad one.
 *
 * @example
 * ```ts
 * resolveRetryOptions({ baseMs: 500 }); // { baseMs: 500, factor: 2, maxMs: 3_600_000, jitter: true }
 * ```
 */
export function resolveRetryOptions(options: Partial<RetryOptions> = {}): RetryOptions {
  const resolved = { ...defaultRetryOptions, ...definedFields(options) };
  for (const field of ['baseMs', 'maxMs'] as const) {
    if (!Number.isFinite(resolved[field]) || resolved[field] < 0) {
      throw new ValidationError(`retry.${field} must be a number >= 0, got ${resolved[field]}`);
    }
  }
  if (!Number.isFinite(resolved.factor) || resolved.factor < 1) {
    throw new ValidationError(`retry.factor must be a number >= 1, got ${resolved.factor}`);
  }
  return resolved;
}

/**
 * The delay before the next attempt after attempt number `attempt` (1 for the first) failed.
 *
 * @example
 * ```ts
 * retryDelayMs(3, { baseMs: 1_000, factor: 2, maxMs: 60_000, jitter: false }); // 4000
 * ```
 */
export function retryDelayMs(
  attempt: number,
  options: RetryOptions,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, attempt - 1);
  const delay = Math.min(options.maxMs, options.baseMs * options.factor ** exponent);
  return Math.round(options.jitter ? delay * (0.5 + random() / 2) : delay);
}

function definedFields<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}
