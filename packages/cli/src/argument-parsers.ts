import { InvalidArgumentError } from 'commander';
import { UsageError } from './errors/usage-error.js';
import { parseDuration } from './parse-duration.js';

/**
 * Parses a command-line JSON argument. A bad one is a `UsageError` naming the argument,
 * with a hint for the usual mistake: a bare word, which JSON wants quoted.
 *
 * @example
 * ```ts
 * parseJsonArgument('{"to":"ada@example.com"}'); // { to: 'ada@example.com' }
 * parseJsonArgument('{bad'); // throws UsageError: Invalid JSON for <json>: ...
 * ```
 */
export function parseJsonArgument(text: string, name = '<json>'): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const hint = /^[\p{L}_][\p{L}\p{N}_ .:-]*$/u.test(text)
      ? ` (a string must be quoted: '"${text}"')`
      : '';
    throw new UsageError(`Invalid JSON for ${name}: ${(error as Error).message}${hint}`);
  }
}

/**
 * Commander parser for a duration option (`30s`, `5m`, `1500ms`; a bare number is seconds),
 * returning milliseconds.
 *
 * @example
 * ```ts
 * command.option('--delay <duration>', 'run after this long', durationOption);
 * ```
 */
export function durationOption(text: string): number {
  try {
    return parseDuration(text);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/**
 * Commander parser for an integer option (negative allowed, e.g. `--priority -1`).
 *
 * @example
 * ```ts
 * command.option('--priority <n>', 'higher runs first', integerOption);
 * ```
 */
export function integerOption(text: string): number {
  const value = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(value)) {
    throw new InvalidArgumentError('must be an integer');
  }
  return value;
}

/**
 * Commander parser for a positive integer option (`--limit`, `--max-attempts`).
 *
 * @example
 * ```ts
 * command.option('--limit <n>', 'at most this many', positiveIntegerOption);
 * ```
 */
export function positiveIntegerOption(text: string): number {
  const value = integerOption(text);
  if (value < 1) throw new InvalidArgumentError('must be a positive integer');
  return value;
}
