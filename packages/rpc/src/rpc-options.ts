import type { TxOptions } from '@pgq/core';
import type { Job, QueueSettings, WorkerOptions } from '@pgq/queue';
import type { RpcRequest } from './rpc-request.js';

/**
 * Options of `RpcClient`. Every field is optional.
 *
 * @example
 * ```ts
 * const rpc = new RpcClient(pgq, { timeoutMs: 5_000 });
 * ```
 */
export interface RpcClientOptions {
  /** How long a call waits for its reply when neither the call nor its method says. Default 30 000 ms. */
  timeoutMs?: number;
  /**
   * How long a reply nobody read is kept before the sweep deletes it (its caller timed out
   * and went away, or crashed). Keep it longer than your longest call timeout. Default 300 000 ms.
   */
  replyRetentionMs?: number;
  /** How often this client sweeps unread replies past `replyRetentionMs`. Default 60 000 ms. */
  sweepIntervalMs?: number;
}

/**
 * Options of `RpcClient.call`. Every field is optional.
 *
 * @example
 * ```ts
 * await rpc.call('rpc_images', request, { timeoutMs: 2_000, signal: controller.signal });
 * ```
 */
export interface CallOptions {
  /**
   * How long to wait for the reply, from the moment `call` is called. Past it the call
   * throws `TimeoutError`, and the request is cancelled if no server has started it.
   * Default: the method's `defaults.timeoutMs`, else the client's `timeoutMs` (30 000).
   */
  timeoutMs?: number;
  /**
   * Attempts the request gets when its handler throws. Default 1 (or the method's
   * `defaults.maxAttempts`): a retry usually comes after the caller has given up, and the
   * handler's error is what the caller wants to see. Only the last attempt's error is replied.
   */
  maxAttempts?: number;
  /** Higher runs first among waiting requests. Default 0 (or the method's `defaults.priority`). */
  priority?: number;
  /** Aborting it rejects the call with the signal's reason, and cancels the request as a timeout does. */
  signal?: AbortSignal;
}

/**
 * Options of `RpcClient.respond` and `respondError`.
 *
 * @example
 * ```ts
 * await rpc.respond(job.payload.requestId, result, { tx: ctx.tx }); // commits with the job
 * ```
 */
export interface RespondOptions extends TxOptions {
  /**
   * The caller's channel (the request's `replyTo`). Default: derived from the request id,
   * which `RpcClient` makes so that it names its caller's channel.
   */
  replyTo?: string;
}

/**
 * What an `RpcServer` handler gets besides the request.
 *
 * @example
 * ```ts
 * new RpcServer(pgq, 'rpc_reports', async (request, ctx) => {
 *   const pdf = await render(request, { signal: ctx.signal });
 *   await ctx.heartbeat();
 *   return { url: await upload(pdf) };
 * });
 * ```
 */
export interface RpcContext<Request = unknown> {
  /** The request's correlation id. */
  requestId: string;
  /** Aborts when the server stops past its timeout, or the job's lease is lost. */
  signal: AbortSignal;
  /** Renews the request job's lease now (it is renewed automatically too). */
  heartbeat(): Promise<void>;
  /** The request job; its payload is the request envelope. */
  job: Job<RpcRequest<Request>>;
  /** The id of the worker running it. */
  workerId: string;
}

/**
 * An `RpcServer` handler: what it returns (JSON) is the reply; what it throws reaches the
 * caller as a `RemoteError` with its message and code.
 *
 * @example
 * ```ts
 * const double: RpcHandler<{ n: number }, number> = (request) => request.n * 2;
 * ```
 */
export type RpcHandler<Request = unknown, Response = unknown> = (
  request: Request,
  context: RpcContext<Request>,
) => Response | Promise<Response>;

/**
 * Options of `RpcServer`: its worker's options (not `transactional`), and the reply sweep's.
 *
 * @example
 * ```ts
 * new RpcServer(pgq, 'rpc_images', handler, { concurrency: 20, leaseMs: 60_000 });
 * ```
 */
export interface RpcServerOptions extends Omit<WorkerOptions, 'transactional'> {
  /**
   * The queue's settings when `start()` creates it. A queue that exists already keeps its own.
   * Default: the queue defaults, but `completedRetentionMs: 0` (answered requests are not
   * archived; give e.g. `600_000` to keep them ten minutes). Dead requests are kept as usual.
   */
  queueSettings?: QueueSettings;
  /** How long a reply nobody read is kept before the sweep deletes it. Default 300 000 ms. */
  replyRetentionMs?: number;
  /** How often this server sweeps unread replies past `replyRetentionMs`. Default 60 000 ms. */
  sweepIntervalMs?: number;
}

/**
 * The events of an `RpcServer`.
 *
 * @example
 * ```ts
 * server.on('error', (error) => logger.warn('rpc server', error));
 * ```
 */
export interface RpcServerEvents {
  /** Something went wrong around the requests (the database, a reply write); the server carries on. */
  error: [error: Error];
}

/**
 * The events of an `RpcClient`.
 *
 * @example
 * ```ts
 * rpc.on('error', (error) => logger.warn('rpc client', error));
 * ```
 */
export interface RpcClientEvents {
  /** Reading replies or cleaning up after a timeout failed; the client carries on. */
  error: [error: Error];
}
