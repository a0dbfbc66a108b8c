import type { Pgq } from '@pgq/core';
import { Queue } from '@pgq/queue';
import { makeThumbnail, nightlyReport, welcomeEmail } from './contracts.js';

function queuesOf(pgq: Pgq) {
  return {
    emails: new Queue(pgq, welcomeEmail),
    // RPC requests: its jobs carry an envelope (`RpcClient.call` writes them), so no contract.
    thumbnails: new Queue(pgq, makeThumbnail.name),
    reports: new Queue(pgq, nightlyReport),
  };
}

/** The app's queues, typed by their contracts. */
export type AppQueues = ReturnType<typeof queuesOf>;

/**
 * Opens the app's queues and creates any that is missing (idempotent, so the HTTP side and
 * the worker may both call it, in any order).
 *
 * @example
 * ```ts
 * const { emails } = await openQueues(pgq);
 * console.log(await emails.stats());
 * ```
 */
export async function openQueues(pgq: Pgq): Promise<AppQueues> {
  const queues = queuesOf(pgq);
  await Promise.all(Object.values(queues).map((queue) => queue.create()));
  return queues;
}
