import { EventEmitter } from 'node:events';
import {
  ClosedError,
  type ContractInput,
  type MethodContract,
  type MethodResponseOutput,
  type Pgq,
  type PgqError,
  TimeoutError,
  validate,
} from '@pgq/core';
import { assertValueSize, reportError, type Sweeper, toJsonText } from '@pgq/core/internal';
import { callSettings } from './call-settings.js';
import { PendingCall } from './pending-call.js';
import { toRemoteError } from './reply-error.js';
import { ReplyReader } from './reply-reader.js';
import { replySweeper } from './reply-sweeper.js';
import { writeError, writeResponse } from './reply-writer.js';
import {
  callerPrefixOf,
  isRequestId,
  newCallerPrefix,
  newRequestId,
  replyChannelOf,
} from './request-id.js';
import { RequestSender } from './request-sender.js';
import type {
  CallOptions,
  RespondOptions,
  RpcClientEvents,
  RpcClientOptions,
} from './rpc-options.js';
import type { RpcRequest } from './rpc-request.js';
import type { ReplyRow } from './sql/replies-take.js';
import { requestCancel } from './sql/request-cancel.js';
import { wholeNumber } from './whole-number.js';

// After a failed take, the replies are still stored: read them again this much later.
const retryTakeAfterMs = 200;

/**
 * Calls RPC methods served by `RpcServer`s (or by any worker that answers with `respond`).
 * A call enqueues a request job carrying a correlation id and this client's reply channel,
 * then waits for the reply, announced by NOTIFY on that channel: no polling. The client
 * LISTENs (on `pgq.listener`) before its first request is sent, and after the listener
 * reconnects it reads every reply it may have missed.
 *
 * @example
 * ```ts
 * const rpc = new RpcClient(pgq);
 * const { width } = await rpc.call(resize, { url, width: 200 }, { timeoutMs: 5_000 });
 * const sum = await rpc.call<number>('rpc_add', { a: 1, b: 2 });
 * await rpc.close();
 * ```
 */
export class RpcClient extends EventEmitter<RpcClientEvents> {
  readonly pgq: Pgq;
  /** This client's NOTIFY channel, where its replies are announced. */
  readonly channel: string;
  readonly #prefix = newCallerPrefix();
  readonly #timeoutMs: number;
  readonly #calls = new Map<string, PendingCall>();
  readonly #sender: RequestSender;
  readonly #background = new Set<Promise<unknown>>();
  readonly #retryTimers = new Set<NodeJS.Timeout>();
  readonly #reader: ReplyReader;
  readonly #sweeper: Sweeper;
  #listening: Promise<void> | undefined;
  #unlisten: (() => Promise<void>) | undefined;
  #closing: Promise<void> | undefined;

  constructor(pgq: Pgq, options: RpcClientOptions = {}) {
    super();
    this.pgq = pgq;
    this.#timeoutMs = wholeNumber('timeoutMs', options.timeoutMs, 30_000, 1);
    this.channel = pgq.channel(`rpc.reply.${this.#prefix}`);
    this.#sender = new RequestSender(pgq);
    this.#reader = new ReplyReader(pgq, {
      onReply: (row) => this.#onReply(row),
      onError: (error, requestIds) => this.#onTakeFailed(error, requestIds),
    });
    this.#sweeper = replySweeper(pgq, options, (error) => this.#report(error));
  }

  /** Calls waiting for their reply now. */
  get pendingCount(): number {
    return this.#calls.size;
  }

  /**
   * Sends `request` to the method's queue and resolves with the reply. With a method
   * contract the request is checked first (`ValidationError`, nothing sent) and the reply
   * after (`ValidationError`). Rejects with `RemoteError` (the handler's message and code)
   * when the handler threw, `TimeoutError` past `timeoutMs`, and `QueueNotFoundError` when
   * the queue does not exist (`RpcServer.start()` creates it).
   */
  call<Method extends MethodContract>(
    method: Method,
    request: ContractInput<Method>,
    options?: CallOptions,
  ): Promise<MethodResponseOutput<Method>>;
  call<Response = unknown, Request = unknown>(
    queue: string,
    request: Request,
    options?: CallOptions,
  ): Promise<Response>;
  async call(
    target: string | MethodContract,
    request: unknown,
    options: CallOptions = {},
  ): Promise<unknown> {
    if (this.#closing) throw closedError();
    const { queue, method, timeoutMs, maxAttempts, priority } = callSettings(
      target,
      options,
      this.#timeoutMs,
    );
    const { signal } = options;
    signal?.throwIfAborted();
    if (method) await validate(method.schema, request, 'request');
    // Checked alone, so a request that is not JSON fails its own call, not its batch.
    const requestText = request === undefined ? undefined : toJsonText(request, 'request');
    // close() may have run during the validation above: it must not miss this call.
    if (this.#closing) throw closedError();
    const requestId = newRequestId(this.#prefix);
    const envelope: RpcRequest = { requestId, replyTo: this.channel, timeoutMs, request };
    if (requestText !== undefined) {
      // The request job stores the envelope around it (ASCII only), which must fit the limit
      // too: checked alone for the same reason.
      const envelopeBytes = JSON.stringify({ ...envelope, request: 0 }).length - 1;
      assertValueSize(
        requestText,
        this.pgq.maxValueBytes - envelopeBytes,
        'request',
        'connect({ maxValueBytes })',
      );
    }
    return new Promise((resolve, reject) => {
      const call = new PendingCall({ requestId, queue, method, resolve, reject });
      const timer = setTimeout(() => {
        this.#abandon(
          call,
          new TimeoutError(`RPC call to queue "${queue}" got no reply`, timeoutMs),
        );
      }, timeoutMs);
      call.onSettled(() => clearTimeout(timer));
      if (signal) {
        const onAbort = () => this.#abandon(call, signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        call.onSettled(() => signal.removeEventListener('abort', onAbort));
      }
      this.#calls.set(requestId, call);
      call.onSettled(() => this.#calls.delete(requestId));
      this.#track(this.#send(call, envelope, { maxAttempts, priority }));
    });
  }

  /**
   * Answers a request with `response` (JSON; `undefined` is sent as `null`), for servers
   * that run their own `Worker` on the queue. Stored and announced in one statement (in `tx`
   * when given: then the reply exists only if it commits). Returns false when the request
   * already had a reply: the first one wins.
   */
  async respond(
    requestId: string,
    response: unknown,
    options: RespondOptions = {},
  ): Promise<boolean> {
    return writeResponse(this.pgq, this.#target(requestId, options), response, options.tx);
  }

  /**
   * Answers a request with an error: its caller's `call` rejects with a `RemoteError`
   * carrying the error's message, name and code. Returns false when it already had a reply.
   */
  async respondError(
    requestId: string,
    error: unknown,
    options: RespondOptions = {},
  ): Promise<boolean> {
    return writeError(this.pgq, this.#target(requestId, options), error, options.tx);
  }

  /**
   * Stops the client: calls still waiting reject with a `PgqError` (`PGQ_CLOSED`) and their
   * requests are cancelled if no server has started them; then it stops listening and
   * sweeping. Await your calls first to close gracefully. Safe to call twice.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  /**
   * `close()`, for `await using`: the client stops listening and sweeping as the block exits.
   *
   * @example
   * ```ts
   * await using rpc = new RpcClient(pgq);
   * const sum = await rpc.call<number>('rpc_add', { a: 1, b: 2 });
   * ```
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #close(): Promise<void> {
    for (const call of [...this.#calls.values()]) this.#abandon(call, closedError());
    await this.#listening?.catch(() => {});
    while (this.#background.size > 0) await Promise.all(this.#background);
    for (const timer of this.#retryTimers) clearTimeout(timer);
    this.#retryTimers.clear();
    await this.#reader.drain();
    this.pgq.listener.off('reconnected', this.#catchUp);
    await this.#unlisten?.();
    await this.#sweeper.stop();
  }

  #target(requestId: string, options: RespondOptions): { requestId: string; replyTo: string } {
    const replyTo =
      options.replyTo ?? (isRequestId(requestId) ? replyChannelOf(this.pgq, requestId) : '');
    return { requestId, replyTo };
  }

  async #send(
    call: PendingCall,
    envelope: RpcRequest,
    options: { maxAttempts: number; priority: number },
  ): Promise<void> {
    try {
      await this.#listen();
      // Given up on while the LISTEN was opening: nothing was sent, nothing to cancel.
      if (call.state !== 'waiting') return;
      call.jobId = await this.#sender.send(call.queue, envelope, options);
      if (call.abandoned) await this.#cleanUp(call);
    } catch (error) {
      if (call.answer()) call.reject(error);
    }
  }

  // LISTEN before the first request is sent, so no reply can be announced unheard.
  #listen(): Promise<void> {
    this.#listening ??= (async () => {
      this.#unlisten = await this.pgq.listener.listen(this.channel, (payload) => {
        // Any login may NOTIFY this channel, with any request id it has seen: taking a reply
        // deletes it, so only ids this client made are taken (issue #26). A forged one of
        // those only makes it look early, or delete a late reply to a call it gave up on.
        if (isRequestId(payload) && callerPrefixOf(payload) === this.#prefix) {
          this.#reader.add(payload);
        }
      });
      this.pgq.listener.on('reconnected', this.#catchUp);
      this.#sweeper.start();
    })().catch((error) => {
      this.#listening = undefined;
      throw error;
    });
    return this.#listening;
  }

  // Notifications sent while the listener was reconnecting are lost: the replies are not.
  readonly #catchUp = (): void => {
    for (const requestId of this.#calls.keys()) this.#reader.add(requestId);
  };

  #onReply(row: ReplyRow): void {
    const call = this.#calls.get(row.request_id);
    // A reply to a call given up on: taking it deleted it, which is all it needed.
    if (!call?.answer()) return;
    if (row.error !== null) {
      call.reject(toRemoteError(row.error));
    } else if (call.method?.response) {
      validate(call.method.response, row.response, 'response').then(
        (value) => call.resolve(value),
        (error) => call.reject(error),
      );
    } else {
      call.resolve(row.response);
    }
  }

  #onTakeFailed(error: Error, requestIds: string[]): void {
    this.#report(error);
    if (this.#closing) return;
    const timer = setTimeout(() => {
      this.#retryTimers.delete(timer);
      for (const requestId of requestIds) {
        if (this.#calls.has(requestId)) this.#reader.add(requestId);
      }
    }, retryTakeAfterMs);
    timer.unref();
    this.#retryTimers.add(timer);
  }

  #abandon(call: PendingCall, error: unknown): void {
    if (call.abandon(error) && call.jobId !== undefined) this.#track(this.#cleanUp(call));
  }

  // A server that has not started the request must not run it; a reply stored just before
  // the caller gave up (its notification still in flight) is deleted rather than swept.
  async #cleanUp(call: PendingCall): Promise<void> {
    try {
      await requestCancel(this.pgq, call.queue, call.jobId!);
    } catch (error) {
      this.#report(error);
    }
    this.#reader.add(call.requestId);
  }

  #track(promise: Promise<unknown>): void {
    const tracked = promise
      .catch((error) => this.#report(error))
      .finally(() => this.#background.delete(tracked));
    this.#background.add(tracked);
  }

  #report(error: unknown): void {
    reportError(this, this.pgq.logger, 'pgq rpc client error', error);
  }
}

function closedError(): PgqError {
  return new ClosedError('RpcClient');
}
