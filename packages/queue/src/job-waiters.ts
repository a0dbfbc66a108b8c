import { type Pgq, RemoteError, TimeoutError } from '@pgq/core';
import { watchAbort } from '@pgq/core/internal';
import { finishedChannel } from './channels.js';
import { JobCancelledError } from './errors/job-cancelled-error.js';
import { JobNotFoundError } from './errors/job-not-found-error.js';
import { jobWatch } from './sql/job-watch.js';
import { type JobOutcome, jobsOutcome } from './sql/jobs-outcome.js';
import { testSignals } from './test-signals.js';

interface Waiter {
  resolve(result: unknown): void;
  reject(error: unknown): void;
}

// A job revived by retry() between our checks is looked at again, a few times at most.
const maxWatchRounds = 3;

/**
 * The `waitFor` machinery of one queue. LISTENs on the queue's `finished` channel (shared
 * through `pgq.listener`) while anyone waits, flags each waited-on job so that its finish is
 * announced, and reads the outcome from the archive when the announcement comes. Nothing
 * polls: after a listener reconnect every waited-on job is checked once, since announcements
 * may have been missed meanwhile.
 */
export class JobWaiters {
  readonly #pgq: Pgq;
  readonly #queue: string;
  readonly #waiting = new Map<string, Set<Waiter>>();
  #unlisten: Promise<() => Promise<void>> | undefined;
  readonly #onReconnected = (): void => void this.#check([...this.#waiting.keys()]);

  constructor(pgq: Pgq, queue: string) {
    this.#pgq = pgq;
    this.#queue = queue;
  }

  /**
   * Resolves with the job's result once completed; rejects once dead or cancelled, after
   * `timeoutMs`, or with `signal.reason` when it aborts (at once when it was aborted already:
   * then nothing is listened to or flagged).
   */
  wait(id: string, timeoutMs: number | undefined, signal?: AbortSignal): Promise<unknown> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let unwatch = (): void => {};
      const finish = (): void => {
        clearTimeout(timer);
        unwatch();
        const waiters = this.#waiting.get(id);
        waiters?.delete(waiter);
        if (waiters?.size === 0) this.#waiting.delete(id);
        if (this.#waiting.size === 0) void this.#stopListening();
      };
      const waiter: Waiter = {
        resolve: (result) => {
          finish();
          resolve(result);
        },
        reject: (error) => {
          finish();
          reject(error);
        },
      };
      let waiters = this.#waiting.get(id);
      if (!waiters) {
        waiters = new Set();
        this.#waiting.set(id, waiters);
      }
      waiters.add(waiter);
      if (timeoutMs !== undefined) {
        timer = setTimeout(
          () => waiter.reject(new TimeoutError(`waitFor(job ${id})`, timeoutMs)),
          timeoutMs,
        );
        timer.unref();
      }
      unwatch = watchAbort(signal, (reason) => waiter.reject(reason));
      this.#begin(id).catch((error) => waiter.reject(error));
    });
  }

  async #begin(id: string): Promise<void> {
    await this.#listen();
    for (let round = 0; round < maxWatchRounds && this.#waiting.has(id); round++) {
      // LISTEN is active, so a finish committed after this flag is set will be announced.
      if (await jobWatch(this.#pgq, this.#queue, id)) {
        testSignals.emit('watching', this.#queue, id);
        return;
      }
      // Not live: it finished already (or never was). A new statement, so a new snapshot.
      if (await this.#check([id])) return;
    }
  }

  /** Settles the waiters of the ids that finished; true when all of them did. */
  async #check(ids: string[]): Promise<boolean> {
    if (ids.length === 0) return true;
    let outcomes: JobOutcome[];
    try {
      outcomes = await jobsOutcome(this.#pgq, this.#queue, ids);
    } catch (error) {
      for (const id of ids) this.#settle(id, (waiter) => waiter.reject(error));
      return true;
    }
    const byId = new Map(outcomes.map((outcome) => [outcome.id, outcome]));
    let allSettled = true;
    for (const id of ids) {
      const outcome = byId.get(id);
      if (!outcome) {
        this.#settle(id, (waiter) => waiter.reject(new JobNotFoundError(this.#queue, id)));
      } else if (outcome.state === 'completed') {
        this.#settle(id, (waiter) => waiter.resolve(outcome.result ?? null));
      } else if (outcome.state === 'dead') {
        const error = outcome.lastError;
        const remote = new RemoteError(error?.message ?? `Job ${id} is dead`, {
          ...(error?.code === undefined ? {} : { code: String(error.code) }),
          ...(error?.name === undefined ? {} : { name: error.name }),
        });
        this.#settle(id, (waiter) => waiter.reject(remote));
      } else if (outcome.state === 'cancelled') {
        this.#settle(id, (waiter) => waiter.reject(new JobCancelledError(this.#queue, id)));
      } else {
        allSettled = false;
      }
    }
    return allSettled;
  }

  #settle(id: string, settle: (waiter: Waiter) => void): void {
    for (const waiter of [...(this.#waiting.get(id) ?? [])]) settle(waiter);
  }

  async #listen(): Promise<void> {
    if (!this.#unlisten) {
      const listener = this.#pgq.listener;
      this.#unlisten = listener.listen(finishedChannel(this.#pgq, this.#queue), (payload) => {
        if (this.#waiting.has(payload)) return this.#check([payload]).then(() => {});
      });
      listener.on('reconnected', this.#onReconnected);
      this.#unlisten.catch(() => {
        listener.off('reconnected', this.#onReconnected);
        this.#unlisten = undefined;
      });
    }
    await this.#unlisten;
  }

  async #stopListening(): Promise<void> {
    const unlisten = this.#unlisten;
    if (!unlisten) return;
    this.#unlisten = undefined;
    this.#pgq.listener.off('reconnected', this.#onReconnected);
    await (await unlisten.catch(() => undefined))?.();
  }
}
