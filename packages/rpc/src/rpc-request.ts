import type { StandardSchemaV1 } from '@pgq/core';
import { isRequestId } from './request-id.js';

/**
 * The payload of a request job: what `RpcClient.call` enqueues and a server answers. A
 * server of your own (a plain `Worker` on the queue) reads it from `job.payload` and answers
 * with `rpc.respond(job.payload.requestId, response)`.
 *
 * @example
 * ```ts
 * new Worker<RpcRequest<{ n: number }>>(pgq, 'rpc_double', async (job) => {
 *   await rpc.respond(job.payload.requestId, job.payload.request.n * 2);
 * });
 * ```
 */
export interface RpcRequest<Request = unknown> {
  /** The correlation id (a UUID): the reply is stored and announced under it. */
  requestId: string;
  /** The caller's NOTIFY channel, where the reply is announced. */
  replyTo: string;
  /**
   * How long the caller waits. A server that claims the request later than this after it
   * was enqueued (both times by the database clock) does not run it: nobody is waiting.
   */
  timeoutMs: number;
  /**
   * The caller's request: as sent, or (in `RpcServer`) as the method's schema outputs it.
   * Absent when the caller sent `undefined`.
   */
  request: Request;
}

type Issue = StandardSchemaV1.Issue;

/**
 * The schema of a request job's payload: the envelope's fields, and the request itself
 * against the method's request schema when there is one (issues under path `request`).
 * Given to the server's `Worker` as its contract, so an invalid request goes straight to
 * `dead` without retries, as any invalid job payload does. Use it the same way in a worker
 * of your own.
 *
 * @example
 * ```ts
 * const contract = { name: 'rpc_double', schema: rpcRequestSchema(z.object({ n: z.number() })) };
 * new Worker(pgq, contract, async (job) => rpc.respond(job.payload.requestId, job.payload.request.n * 2));
 * ```
 */
export function rpcRequestSchema<Output>(
  requestSchema: StandardSchemaV1<unknown, Output> | undefined,
): StandardSchemaV1<RpcRequest, RpcRequest<Output>> {
  return {
    '~standard': {
      version: 1,
      vendor: 'pgq-rpc',
      validate(value) {
        const envelope = value as Partial<RpcRequest> | null;
        const issues = envelopeIssues(envelope);
        if (issues.length > 0) return { issues };
        const request = (envelope as RpcRequest).request;
        if (!requestSchema) return { value: envelope as RpcRequest<Output> };
        const wrap = (
          result: StandardSchemaV1.Result<Output>,
        ): StandardSchemaV1.Result<RpcRequest<Output>> =>
          result.issues
            ? {
                issues: result.issues.map((issue) => ({
                  ...issue,
                  path: ['request', ...(issue.path ?? [])],
                })),
              }
            : { value: { ...(envelope as RpcRequest), request: result.value } };
        const result = requestSchema['~standard'].validate(request);
        return result instanceof Promise ? result.then(wrap) : wrap(result);
      },
    },
  };
}

function envelopeIssues(envelope: Partial<RpcRequest> | null): Issue[] {
  if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope)) {
    return [
      { message: 'An RPC request must be an object { requestId, replyTo, timeoutMs, request }' },
    ];
  }
  const issues: Issue[] = [];
  if (!isRequestId(envelope.requestId)) {
    issues.push({ message: 'Expected a UUID', path: ['requestId'] });
  }
  const { replyTo } = envelope;
  if (typeof replyTo !== 'string' || replyTo.length === 0 || Buffer.byteLength(replyTo) > 63) {
    issues.push({ message: 'Expected a channel name of 1 to 63 bytes', path: ['replyTo'] });
  }
  const { timeoutMs } = envelope;
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    issues.push({ message: 'Expected a positive number of milliseconds', path: ['timeoutMs'] });
  }
  return issues;
}
