import {
  assertName,
  isContract,
  type MethodContract,
  type Pgq,
  PgqError,
  type StandardSchemaV1,
  validate,
} from '@pgq/core';
import { Batcher, Service, type Sweeper } from '@pgq/core/internal';
import {
  type Job,
  type JobContext,
  type QueueSettings,
  Worker,
  type WorkerStopOptions,
  WorkerStoppedError,
} from '@pgq/queue';
import { RequestExpiredError } from './errors/request-expired-error.js';
import { replySweeper } from './reply-sweeper.js';
import { responseReply, writeError, writeReplies } from './reply-writer.js';
import { isRequestId } from './request-id.js';
import type { RpcHandler, RpcServerEvents, RpcServerOptions } from './rpc-options.js';
import { type RpcRequest, rpcRequestSchema } from './rpc-request.js';
import type { ReplyInput } from './sql/reply-insert.js';

// Most replies one statement carries.
const maxReplyBatch = 500;

/**
 * Answers the calls sent to one queue: a `Worker` whose handler's return value becomes the
 * reply, stored and announced to the caller in one statement. A handler that throws (on the
 * request's last attempt) replies with its message and code, which the caller gets as a
 * `RemoteError`. With a method contract the request is validated before the handler runs
 * (an invalid one is answered with a `PGQ_VALIDATION` error and never retried) and the
 * response before it is sent (an invalid one is answered as an error).
 *
 * @example
 * ```ts
 * const server = new RpcServer(pgq, resize, async (request, ctx) => {
 *   return { url: await resizeImage(request.url, request.width, { signal: ctx.signal }) };
 * }, { concurrency: 10 });
 * await server.start();
 * process.on('SIGTERM', () => server.stop({ timeoutMs: 10_000 }));
 * ```
 */
export class RpcServer<Request = unknown, Response = unknown> extends Service<
  RpcServerEvents,
  WorkerStopOptions
> {
  /** The queue worker that runs the requests (for its events and state). */
  readonly worker: Worker<RpcRequest<Request>, Response>;
  /** The method contract given to the constructor, if any. */
  readonly method: MethodContract | undefined;
  readonly #pgq: Pgq;
  readonly #handler: RpcHandler<Request, Response>;
  readonly #sweeper: Sweeper;
  readonly #queueSettings: QueueSettings | undefined;
  readonly #replying = new Set<Promise<void>>();
  // Replies of requests finishing together share one INSERT, one commit and one NOTIFY batch.
  readonly #replies: Batcher<ReplyInput, boolean>;

  constructor(
    pgq: Pgq,
    target:
      | string
      | MethodContract<string, StandardSchemaV1<any, Request>, StandardSchemaV1<Response, any>>,
    handler: RpcHandler<Request, NoInfer<Response>>,
    options: RpcServerOptions = {},
  ) {
    super({
      logger: pgq.logger,
      errorMessage: 'pgq rpc server error',
      stoppedError: () => new WorkerStoppedError('This RpcServer'),
    });
    this.#pgq = pgq;
    this.method = isContract(target) ? (target as MethodContract) : undefined;
    const queue = assertName('queue', isContract(target) ? target.name : target);
    this.#handler = handler;
    const { replyRetentionMs: _, sweepIntervalMs: __, queueSettings, ...workerOptions } = options;
    this.#queueSettings = queueSettings;
    const requestSchema = this.method?.schema as StandardSchemaV1<unknown, Request> | undefined;
    this.worker = new Worker<RpcRequest<Request>, Response>(
      pgq,
      { name: queue, schema: rpcRequestSchema(requestSchema) },
      (job, context) => this.#run(job, context),
      workerOptions,
    );
    this.worker.on('dead', (job, error) => this.#answerDead(job, error));
    this.worker.on('error', (error) => this.report(error));
    this.#replies = new Batcher((replies) => writeReplies(pgq, replies), maxReplyBatch);
    this.#sweeper = replySweeper(pgq, options, (error) => this.report(error));
  }

  /** The queue this server answers. */
  get queue(): string {
    return this.worker.queue.name;
  }

  /**
   * Creates the queue when it does not exist (with `queueSettings`; an existing queue is left
   * as it is) and starts answering. A stopped server cannot start again.
   */
  override start(): Promise<void> {
    return super.start();
  }

  protected async onStart(): Promise<void> {
    // Settings only for a queue created here: create(settings) would overwrite an existing one's.
    // An answered request is worth nothing once its reply is stored: by default none is kept
    // (a busy method would otherwise archive every call for a day).
    const created = await this.worker.queue.create();
    if (created) {
      const settings = this.#queueSettings ?? {};
      const keepsAnswered =
        settings.completedRetentionMs !== undefined ||
        settings.completedRetentionSeconds !== undefined;
      await this.worker.queue.create(
        keepsAnswered ? settings : { completedRetentionMs: 0, ...settings },
      );
    }
    await this.worker.start();
    this.#sweeper.start();
  }

  /**
   * Stops gracefully: takes no new requests, lets running handlers finish and reply for up
   * to `timeoutMs` (default 30 000) or until `signal` aborts (stragglers' requests go back to
   * the queue for another server), writes the replies still in flight, and stops its timers.
   * Safe to call twice.
   */
  override stop(options?: WorkerStopOptions): Promise<void> {
    return super.stop(options);
  }

  protected async onStop(options: WorkerStopOptions): Promise<void> {
    await this.worker.stop(options);
    while (this.#replying.size > 0) await Promise.all(this.#replying);
    await this.#sweeper.stop();
  }

  async #run(
    job: Job<RpcRequest<Request>>,
    context: JobContext<RpcRequest<Request>>,
  ): Promise<Response> {
    const { requestId, replyTo, timeoutMs, request } = job.payload;
    // Both times come from the database clock: no skew between caller and server.
    if (job.startedAt && job.startedAt.getTime() - job.createdAt.getTime() > timeoutMs) {
      throw new RequestExpiredError(requestId, timeoutMs);
    }
    const response = await this.#handler(request, {
      requestId,
      signal: context.signal,
      heartbeat: context.heartbeat,
      job,
      workerId: context.workerId,
    });
    if (this.method?.response) await validate(this.method.response, response, 'response');
    // Too large a response fails the job like one that is not JSON: its caller gets the error.
    await this.#replies.add(
      responseReply({ requestId, replyTo }, response, this.#pgq.maxValueBytes),
    );
    return response;
  }

  // The job is dead: its request was invalid, or its last attempt threw. The caller waits
  // for an answer, so it gets the error (an expired request's caller is gone: it gets none).
  #answerDead(job: Job<RpcRequest<Request>>, error: unknown): void {
    if (PgqError.hasCode(error, RequestExpiredError.code)) return;
    const { requestId, replyTo } = (job.payload ?? {}) as Partial<RpcRequest>;
    if (!isRequestId(requestId) || typeof replyTo !== 'string') return;
    const replying: Promise<void> = writeError(this.#pgq, { requestId, replyTo }, error)
      .then(
        () => {},
        (writeFailure) => this.report(writeFailure),
      )
      .finally(() => this.#replying.delete(replying));
    this.#replying.add(replying);
  }
}
