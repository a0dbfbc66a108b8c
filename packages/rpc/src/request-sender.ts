import type { Pgq } from '@pgq/core';
import { Batcher } from '@pgq/core/internal';
import { type JobSpec, Queue } from '@pgq/queue';
import type { RpcRequest } from './rpc-request.js';

// Most requests one enqueue statement carries.
const maxEnqueueBatch = 500;

/**
 * Enqueues request jobs. Requests to one queue sent at about the same time share one insert
 * statement (`enqueueMany`), so a burst of concurrent calls costs a few statements, and a
 * few NOTIFYs to the servers, rather than one of each per call.
 *
 * @example
 * ```ts
 * const sender = new RequestSender(pgq);
 * const jobId = await sender.send('rpc_images', envelope, { maxAttempts: 1, priority: 0 });
 * ```
 */
export class RequestSender {
  readonly #pgq: Pgq;
  readonly #batchers = new Map<string, Batcher<JobSpec<RpcRequest>, string>>();

  constructor(pgq: Pgq) {
    this.#pgq = pgq;
  }

  /** Enqueues one request job; resolves with its id. Every request must be JSON already. */
  send(
    queue: string,
    envelope: RpcRequest,
    options: { maxAttempts: number; priority: number },
  ): Promise<string> {
    let batcher = this.#batchers.get(queue);
    if (!batcher) {
      const target = new Queue<RpcRequest>(this.#pgq, queue);
      batcher = new Batcher(
        // Not durable: a request lost in a database crash is like one its server lost, and its
        // caller times out either way; this saves a disk flush on every call's path.
        async (specs) =>
          (await target.enqueueMany(specs, { durable: false })).map((result) => result.id),
        maxEnqueueBatch,
      );
      this.#batchers.set(queue, batcher);
    }
    return batcher.add({ payload: envelope, ...options });
  }
}
