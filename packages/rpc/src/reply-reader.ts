import type { Pgq } from '@pgq/core';
import { type ReplyRow, repliesTake } from './sql/replies-take.js';

// Most ids one take statement carries.
const maxTakeBatch = 1_000;

/** Options of `ReplyReader`. */
export interface ReplyReaderOptions {
  /** Called with each reply taken from the table (read and deleted). */
  onReply: (row: ReplyRow) => void;
  /** Called when a take failed: its replies are still stored, under `requestIds`. */
  onError: (error: Error, requestIds: string[]) => void;
}

/**
 * Takes replies (reads and deletes them) for the request ids it is told about. Ids that
 * arrive in the same turn of the event loop (a burst of notifications parsed from one
 * socket read, or every pending call after a reconnect) share one statement, so a thousand
 * concurrent calls cost a few dozen takes, not a thousand.
 *
 * @example
 * ```ts
 * const reader = new ReplyReader(pgq, { onReply: (row) => settle(row), onError: report });
 * reader.add(requestId);
 * await reader.drain();
 * ```
 */
export class ReplyReader {
  readonly #pgq: Pgq;
  readonly #options: ReplyReaderOptions;
  readonly #waiting = new Set<string>();
  readonly #taking = new Set<Promise<void>>();
  #scheduled = false;

  constructor(pgq: Pgq, options: ReplyReaderOptions) {
    this.#pgq = pgq;
    this.#options = options;
  }

  /** Takes this request's reply soon, with the others added in the same turn. */
  add(requestId: string): void {
    this.#waiting.add(requestId);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.#flush());
  }

  /** Resolves once every take started so far has finished. */
  async drain(): Promise<void> {
    while (this.#scheduled || this.#taking.size > 0) {
      if (this.#scheduled) await new Promise((resolve) => setImmediate(resolve));
      await Promise.all(this.#taking);
    }
  }

  #flush(): void {
    this.#scheduled = false;
    const ids = [...this.#waiting];
    this.#waiting.clear();
    for (let start = 0; start < ids.length; start += maxTakeBatch) {
      const batch = ids.slice(start, start + maxTakeBatch);
      const taking: Promise<void> = this.#take(batch).finally(() => this.#taking.delete(taking));
      this.#taking.add(taking);
    }
  }

  async #take(requestIds: string[]): Promise<void> {
    let rows: ReplyRow[];
    try {
      rows = await repliesTake(this.#pgq, requestIds);
    } catch (error) {
      this.#options.onError(error instanceof Error ? error : new Error(String(error)), requestIds);
      return;
    }
    for (const row of rows) this.#options.onReply(row);
  }
}
