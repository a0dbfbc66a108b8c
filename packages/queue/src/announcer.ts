import type { Pgq } from '@pgq/core';
import { jobsChannel } from './channels.js';
import { jobsNotify } from './sql/jobs-notify.js';

const announcers = new WeakMap<Pgq, Map<string, Announcer>>();

/**
 * Wakes `queue`'s workers for jobs just committed outside an app transaction. Their insert
 * skipped the trigger's NOTIFY, which would have held a database-wide lock through the
 * insert's WAL flush; this one commits on its own, without a flush. Announcements of one
 * queue coalesce: one NOTIFY in flight at a time, and one more after it for the commits it
 * may have missed. A failed NOTIFY is logged, not thrown: the jobs are committed, and the
 * workers' poll finds them.
 */
export function announceJobs(pgq: Pgq, queue: string): void {
  let byQueue = announcers.get(pgq);
  if (!byQueue) {
    byQueue = new Map();
    announcers.set(pgq, byQueue);
  }
  let announcer = byQueue.get(queue);
  if (!announcer) {
    announcer = new Announcer(pgq, queue);
    byQueue.set(queue, announcer);
  }
  announcer.announce();
}

class Announcer {
  readonly #pgq: Pgq;
  readonly #queue: string;
  #sending = false;
  #again = false;

  constructor(pgq: Pgq, queue: string) {
    this.#pgq = pgq;
    this.#queue = queue;
  }

  announce(): void {
    if (this.#sending) {
      this.#again = true;
      return;
    }
    this.#sending = true;
    void this.#send();
  }

  async #send(): Promise<void> {
    do {
      // A commit that lands while this NOTIFY is in flight may be invisible to the claims it
      // triggers: it gets the next one.
      this.#again = false;
      try {
        await jobsNotify(this.#pgq, jobsChannel(this.#pgq), this.#queue);
      } catch (error) {
        if (this.#pgq.closed) break;
        this.#pgq.logger.warn('pgq could not announce new jobs; workers will poll for them', {
          queue: this.#queue,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    } while (this.#again);
    this.#sending = false;
  }
}
