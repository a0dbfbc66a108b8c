import { assertName } from '@pgq/core';

/**
 * Commander parser for a queue name: a bad one is refused before anything connects, as bad
 * usage (`InvalidNameError`, exit 2).
 *
 * @example
 * ```ts
 * command.argument('<queue>', 'queue name', queueNameArgument);
 * ```
 */
export function queueNameArgument(name: string): string {
  return assertName('queue', name);
}
