import { InvalidNameError, PgqError } from '@pgq/core';
import { UsageError } from './errors/usage-error.js';

/**
 * The exit codes of `pgq`.
 *
 * @example
 * ```ts
 * if (!result.ok) context.exitCode = ExitCode.failed;
 * ```
 */
export const ExitCode = {
  /** The command did what was asked. */
  done: 0,
  /** The command ran and failed (or found problems, or what was asked for is missing). */
  failed: 1,
  /** The command line was wrong: nothing ran. */
  usage: 2,
} as const;

/**
 * The one line `pgq` prints for an error, and the exit code it implies. No stack traces:
 * set `PGQ_DEBUG=1` to get one.
 *
 * @example
 * ```ts
 * describeError(new UsageError('Invalid JSON for <json>: ...')); // { message: 'Invalid JSON ...', exitCode: 2 }
 * ```
 */
export function describeError(error: unknown): { message: string; exitCode: number } {
  const exitCode =
    PgqError.hasCode(error, UsageError.code) || PgqError.hasCode(error, InvalidNameError.code)
      ? ExitCode.usage
      : ExitCode.failed;
  return { message: oneLine(error), exitCode };
}

function oneLine(error: unknown): string {
  const message =
    error instanceof Error
      ? error.message || error.name
      : typeof error === 'string'
        ? error
        : JSON.stringify(error);
  return (message ?? 'unknown error').replace(/\s*\n\s*/g, ' ').trim();
}
