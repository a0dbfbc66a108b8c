import { ValidationError } from '@pgq/core';

/**
 * Longest TTL in seconds: about 317 years, far inside PostgreSQL's timestamp range.
 *
 * @example
 * ```ts
 * await cache.set('config', config, maxTtlSeconds); // or omit the TTL: never expires
 * ```
 */
export const maxTtlSeconds = 10_000_000_000;

/**
 * Checks a TTL in seconds: `undefined` (never expires) or a finite number above 0 and at
 * most `maxTtlSeconds`. Fractions are kept (0.5 is half a second).
 *
 * @example
 * ```ts
 * assertTtlSeconds(300); // 300
 * assertTtlSeconds(0); // throws ValidationError
 * ```
 */
export function assertTtlSeconds(ttlSeconds: unknown): number | undefined {
  if (ttlSeconds === undefined) return undefined;
  if (
    typeof ttlSeconds !== 'number' ||
    !Number.isFinite(ttlSeconds) ||
    ttlSeconds <= 0 ||
    ttlSeconds > maxTtlSeconds
  ) {
    throw new ValidationError('Invalid TTL', [
      {
        path: ['ttlSeconds'],
        message: `must be a number of seconds above 0 and at most ${maxTtlSeconds}, or undefined for no expiry`,
      },
    ]);
  }
  return ttlSeconds;
}
