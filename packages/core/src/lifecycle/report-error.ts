import type { Logger } from '../logger.js';

/** What `reportError()` needs of an `EventEmitter` with an `error` event. */
export interface ErrorEmitter {
  listenerCount(event: 'error'): number;
  emit(event: 'error', ...args: unknown[]): boolean;
}

/** Options of `reportError()`. */
export interface ReportErrorOptions {
  /** Fields added to the log line. */
  fields?: Record<string, unknown>;
  /** Arguments emitted after the error, e.g. the message a subscriber failed on. */
  args?: unknown[];
}

/**
 * The one way a pgq background task reports a failure it cannot throw to a caller: as an
 * `error` event on the first of `emitters` that has a listener for it (Node would crash the
 * process on an `error` event nobody listens to), else as a log line. A listener that throws
 * is logged, never thrown into the loop that reported.
 *
 * @example
 * ```ts
 * reportError(worker, pgq.logger, 'pgq worker error', error, { fields: { worker: worker.id } });
 * reportError([subscription, pubsub], pgq.logger, 'pgq pubsub error', error, { args: [message] });
 * ```
 */
export function reportError(
  emitters: ErrorEmitter | readonly ErrorEmitter[],
  logger: Logger,
  logMessage: string,
  error: unknown,
  options: ReportErrorOptions = {},
): void {
  const reported = error instanceof Error ? error : new Error(String(error));
  const listening = (Array.isArray(emitters) ? emitters : [emitters]).find(
    (emitter: ErrorEmitter) => emitter.listenerCount('error') > 0,
  );
  if (!listening) {
    logger.error(logMessage, { ...options.fields, error: reported.message });
    return;
  }
  try {
    listening.emit('error', reported, ...(options.args ?? []));
  } catch (listenerError) {
    logger.error(`${logMessage} listener threw`, {
      ...options.fields,
      error: listenerError instanceof Error ? listenerError.message : String(listenerError),
    });
  }
}
