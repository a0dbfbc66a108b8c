import { EventEmitter } from 'node:events';
import type { PgqError } from '../errors/pgq-error.js';
import type { Logger } from '../logger.js';
import { type ErrorEmitter, reportError } from './report-error.js';

/**
 * Where a long-running service is in its life: `idle` → `starting` → `running` →
 * `stopping` → `stopped`. A start that fails goes back to `idle`.
 *
 * @example
 * ```ts
 * if (worker.state === 'running') await worker.stop();
 * ```
 */
export type ServiceState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

/** What a `Service` subclass tells its base. */
export interface ServiceOptions {
  /** Where errors go when nobody listens for `error`. */
  logger: Logger;
  /** The log line of a reported error, e.g. `pgq worker error`. */
  errorMessage: string;
  /** Fields added to every logged error, e.g. `{ worker: id }`. */
  errorFields?: Record<string, unknown>;
  /** What `start()` throws once the service was stopped. */
  stoppedError: () => PgqError;
}

// Node's EventEmitter typing: a map of event names to argument tuples.
type EventMap<Events> = Record<keyof Events, unknown[]>;

/**
 * The one start/stop shape of pgq's long-running services (`Worker`, `Scheduler`,
 * `RpcServer`), after River's `startstop.BaseStartStop`: `start()` is idempotent and resolves
 * once running, `stop()` is safe to call twice and at any time (during `start()` too) and
 * resolves once everything the service opened is closed, a stopped service cannot start again,
 * `await using` stops it, and every failure in the background goes through `report()`.
 *
 * @example
 * ```ts
 * class Poller extends Service<{ error: [Error] }> {
 *   readonly #loop = new WakeLoop({ turn: poll, intervalMs: 1_000, onError: (error) => this.report(error) });
 *   constructor(logger: Logger) {
 *     super({ logger, errorMessage: 'poller error', stoppedError: () => new ClosedError('Poller') });
 *   }
 *   protected async onStart() { this.#loop.start(); }
 *   protected async onStop() { await this.#loop.stop(); }
 * }
 * ```
 */
export abstract class Service<
  Events extends EventMap<Events>,
  StopOptions extends object = Record<never, never>,
> extends EventEmitter<Events> {
  readonly #service: ServiceOptions;
  #state: ServiceState = 'idle';
  #starting: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;

  protected constructor(options: ServiceOptions) {
    super();
    this.#service = options;
  }

  /** Where the service is in its life. */
  get state(): ServiceState {
    return this.#state;
  }

  /**
   * Starts the service; resolves once it runs. Calling it again while starting or running
   * returns the same promise; after `stop()` it throws (make a new one). A start that throws
   * leaves the service `idle`, to be started again.
   */
  start(): Promise<void> {
    if (this.#stopping) return Promise.reject(this.#service.stoppedError());
    this.#starting ??= this.#start();
    return this.#starting;
  }

  /** Stops the service and resolves once it has stopped. Safe to call twice. */
  stop(options?: StopOptions): Promise<void> {
    if (this.#state === 'running') this.#state = 'stopping';
    this.#stopping ??= this.#stop(options ?? ({} as StopOptions));
    return this.#stopping;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** Opens what the service needs; throwing leaves it `idle` after `onStartFailed()`. */
  protected abstract onStart(): Promise<void>;

  /** Undoes a start that threw, before the service goes back to `idle`. Default: nothing. */
  protected async onStartFailed(): Promise<void> {}

  /** Closes everything `onStart()` opened. Called once, and only after a successful start. */
  protected abstract onStop(options: StopOptions): Promise<void>;

  /** Reports a failure that has no caller to throw to (see `reportError`). */
  protected report(error: unknown): void {
    const { logger, errorMessage, errorFields } = this.#service;
    reportError(this as unknown as ErrorEmitter, logger, errorMessage, error, {
      fields: errorFields,
    });
  }

  /** Emits an event; a listener that throws is reported, not thrown into the caller. */
  protected emitSafely<Event extends keyof Events>(event: Event, ...args: Events[Event]): void {
    try {
      (this.emit as unknown as (event: keyof Events, ...args: unknown[]) => boolean)(
        event,
        ...args,
      );
    } catch (error) {
      this.report(error);
    }
  }

  async #start(): Promise<void> {
    this.#state = 'starting';
    try {
      await this.onStart();
    } catch (error) {
      await this.onStartFailed();
      this.#state = 'idle';
      this.#starting = undefined;
      throw error;
    }
    this.#state = 'running';
  }

  async #stop(options: StopOptions): Promise<void> {
    await this.#starting?.catch(() => {});
    if (this.#state === 'idle') {
      this.#state = 'stopped';
      return;
    }
    this.#state = 'stopping';
    try {
      await this.onStop(options);
    } finally {
      this.#state = 'stopped';
    }
  }
}
