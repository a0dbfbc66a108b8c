// Sequence numbers per chunk: one bit each.
const chunkBits = 256;

interface Chunk {
  bits: Uint32Array;
  /** After this (ms since the epoch), no message of the chunk is accepted any more. */
  expiresAt: number;
}

/** Why the guard refused a message. */
export type ReplayProblem = 'replayed' | 'stale';

/**
 * Admits each message id once, and only while its publish time is within `windowMs` of now
 * (either way, so clocks that differ by less than the window do no harm). A signed message
 * can still be captured by anyone who LISTENs and sent again: within the window the guard
 * remembers it, past the window it is refused by its time, so a replay is never delivered
 * twice to one route (issue #26).
 *
 * Memory stays proportional to the genuine traffic of the last window: ids are a
 * publisher's id and a growing sequence number, kept as one bit per number in chunks of 256
 * that are dropped once every message in them has aged out.
 *
 * @example
 * ```ts
 * const guard = new ReplayGuard(60_000);
 * guard.admit('3f9c2a81d0b4:h', sentAt, Date.now()); // undefined: admitted
 * guard.admit('3f9c2a81d0b4:h', sentAt, Date.now()); // 'replayed'
 * ```
 */
export class ReplayGuard {
  readonly #windowMs: number;
  readonly #publishers = new Map<string, Map<number, Chunk>>();
  #nextPruneAt = 0;

  constructor(windowMs: number) {
    this.#windowMs = windowMs;
  }

  /** Chunks held now (a measure of memory, for tests). */
  get chunks(): number {
    let count = 0;
    for (const chunks of this.#publishers.values()) count += chunks.size;
    return count;
  }

  /**
   * Records `id` (`<publisher>:<sequence in base 36>`) sent at `sentAt`; undefined when it
   * is admitted, else why not.
   */
  admit(id: string, sentAt: number, now: number): ReplayProblem | undefined {
    if (Math.abs(now - sentAt) > this.#windowMs) return 'stale';
    if (now >= this.#nextPruneAt) this.#prune(now);
    const colon = id.lastIndexOf(':');
    const publisher = id.slice(0, colon);
    const sequence = Number.parseInt(id.slice(colon + 1), 36);
    const index = Math.floor(sequence / chunkBits);
    let chunks = this.#publishers.get(publisher);
    if (!chunks) {
      chunks = new Map();
      this.#publishers.set(publisher, chunks);
    }
    let chunk = chunks.get(index);
    if (!chunk) {
      chunk = { bits: new Uint32Array(chunkBits / 32), expiresAt: 0 };
      chunks.set(index, chunk);
    }
    const bit = sequence % chunkBits;
    const mask = 1 << (bit % 32);
    const word = chunk.bits[bit >>> 5]!;
    if (word & mask) return 'replayed';
    chunk.bits[bit >>> 5] = word | mask;
    chunk.expiresAt = Math.max(chunk.expiresAt, sentAt + this.#windowMs);
    return undefined;
  }

  // Every chunk whose messages have all aged out goes; a few times per window, so the cost
  // is spread thin.
  #prune(now: number): void {
    this.#nextPruneAt = now + Math.max(1_000, this.#windowMs / 4);
    for (const [publisher, chunks] of this.#publishers) {
      for (const [index, chunk] of chunks) {
        if (chunk.expiresAt < now) chunks.delete(index);
      }
      if (chunks.size === 0) this.#publishers.delete(publisher);
    }
  }
}
