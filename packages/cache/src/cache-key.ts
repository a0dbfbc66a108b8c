import { ValidationError } from '@pgq/core';
import { textProblem } from '@pgq/core/internal';

/**
 * Longest cache key, in UTF-8 bytes. Keys live in the primary-key B-tree, whose entries must
 * fit a third of an 8 kB page (2704 bytes) with the namespace beside them.
 *
 * @example
 * ```ts
 * const key = url.length <= maxKeyBytes ? url : sha256(url); // hash longer keys yourself
 * ```
 */
export const maxKeyBytes = 2048;

/**
 * Checks a cache key and returns it. Keys are data (always sent as parameters): any string
 * of at most `maxKeyBytes` UTF-8 bytes, the empty string included, that PostgreSQL text can
 * hold (no NUL, no lone surrogate: it would become U+FFFD, and two keys one).
 *
 * @example
 * ```ts
 * assertKey('user:42:profile'); // 'user:42:profile'
 * assertKey('x'.repeat(5000)); // throws ValidationError
 * ```
 */
export function assertKey(key: unknown): string {
  if (typeof key !== 'string') {
    throw new ValidationError('Invalid cache key', [{ path: [], message: 'must be a string' }]);
  }
  if (key.length > maxKeyBytes / 3 && Buffer.byteLength(key) > maxKeyBytes) {
    throw new ValidationError('Invalid cache key', [
      { path: [], message: `must be at most ${maxKeyBytes} UTF-8 bytes` },
    ]);
  }
  const problem = textProblem(key);
  if (problem) throw new ValidationError('Invalid cache key', [{ path: [], message: problem }]);
  return key;
}
