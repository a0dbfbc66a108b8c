import { assertName, isContract, type MethodContract } from '@pgq/core';
import type { CallOptions } from './rpc-options.js';
import { wholeNumber } from './whole-number.js';

/** What one call runs with, once its target, options and the method's defaults are merged. */
export interface CallSettings {
  queue: string;
  method: MethodContract | undefined;
  timeoutMs: number;
  maxAttempts: number;
  priority: number;
}

/**
 * Resolves a call's settings: the call's options first, then the method's `defaults`, then
 * the client's. Throws `InvalidNameError` or `ValidationError` for a bad name or option.
 */
export function callSettings(
  target: string | MethodContract,
  options: CallOptions,
  clientTimeoutMs: number,
): CallSettings {
  const method = isContract(target) ? (target as MethodContract) : undefined;
  const queue = assertName('queue', method ? method.name : target);
  const defaults = method?.defaults ?? {};
  const priority = options.priority ?? defaults.priority ?? 0;
  return {
    queue,
    method,
    timeoutMs: wholeNumber(
      'timeoutMs',
      options.timeoutMs ?? defaults.timeoutMs,
      clientTimeoutMs,
      1,
    ),
    maxAttempts: wholeNumber('maxAttempts', options.maxAttempts ?? defaults.maxAttempts, 1, 1),
    priority: wholeNumber('priority', priority, 0, -(2 ** 31 - 1), 2 ** 31 - 1),
  };
}
