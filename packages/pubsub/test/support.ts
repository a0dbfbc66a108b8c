import type { Contract, PgQueryable, StandardSchemaV1 } from '@pgq/core';
import type { Message, Subscription } from '../src/index.js';

/** A tiny Standard Schema, so tests need no validator library. */
export function schemaOf<T>(
  check: (value: unknown) => value is T,
  message = 'invalid',
  delayMs?: (value: unknown) => number,
): StandardSchemaV1<T, T> {
  const result = (value: unknown) =>
    check(value) ? { value } : { issues: [{ message, path: ['userId'] }] };
  return {
    '~standard': {
      version: 1,
      vendor: 'pgq-test',
      // With delayMs, validation is asynchronous and takes that long.
      validate: (value) =>
        delayMs
          ? new Promise((resolve) => setTimeout(() => resolve(result(value)), delayMs(value)))
          : result(value),
    },
  };
}

export const userSignup = {
  name: 'events.user_signup',
  schema: schemaOf(
    (value): value is { userId: number } =>
      typeof value === 'object' &&
      value !== null &&
      typeof (value as { userId?: unknown }).userId === 'number',
    'userId must be a number',
  ),
} satisfies Contract;

/** An executor that records every statement instead of running it: proves nothing was sent. */
export function recordingExecutor(): PgQueryable & { statements: string[] } {
  const statements: string[] = [];
  return {
    statements,
    async query(text: string) {
      statements.push(text);
      return { rows: [], rowCount: 0 };
    },
  };
}

/** Takes `count` messages from a pull subscription, failing after `timeoutMs` without one. */
export async function take<T>(
  subscription: Subscription<T>,
  count: number,
  timeoutMs = 5_000,
): Promise<Message<T>[]> {
  const messages: Message<T>[] = [];
  while (messages.length < count) {
    const message = await subscription.next({ timeoutMs });
    if (!message) throw new Error(`timed out after ${messages.length} of ${count} messages`);
    messages.push(message);
  }
  return messages;
}

/**
 * Calls `send(0)`, `send(1)`, ... in that order, keeping up to `window` unfinished at once.
 * The calls start in index order; that call order is what "publisher order" means below.
 */
export async function sendWindowed(
  count: number,
  window: number,
  send: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: window }, async () => {
    while (next < count) await send(next++);
  });
  await Promise.all(lanes);
}
