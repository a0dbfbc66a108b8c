import type { Pgq } from '@pgq/core';
import { Sweeper } from '@pgq/core/internal';
import type { RpcClientOptions } from './rpc-options.js';
import { repliesSweep } from './sql/replies-sweep.js';
import { wholeNumber } from './whole-number.js';

/**
 * A sweeper of replies nobody read within the retention (their caller timed out and went
 * away, or crashed). Clients and servers each run one, the first sweep one interval after
 * start: sweepers in other processes take disjoint rows (SKIP LOCKED), so that is safe and
 * cheap. Throws `ValidationError` for options that are not whole numbers in range.
 *
 * @example
 * ```ts
 * const sweeper = replySweeper(pgq, { replyRetentionMs: 300_000 }, (error) => report(error));
 * sweeper.start();
 * await sweeper.stop();
 * ```
 */
export function replySweeper(
  pgq: Pgq,
  options: Pick<RpcClientOptions, 'replyRetentionMs' | 'sweepIntervalMs'>,
  onError: (error: Error) => void,
): Sweeper {
  const retentionMs = wholeNumber('replyRetentionMs', options.replyRetentionMs, 300_000, 0);
  const intervalMs = wholeNumber('sweepIntervalMs', options.sweepIntervalMs, 60_000, 1);
  return new Sweeper(pgq, {
    deleteBatch: (limit) => repliesSweep(pgq, retentionMs, limit),
    batchSize: 1_000,
    intervalMs,
    firstDelayMs: intervalMs,
    onError,
  });
}
