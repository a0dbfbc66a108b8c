/**
 * A first-in, first-out queue with O(1) push and shift. `Array.prototype.shift` copies the
 * array, which turns a 10,000-message buffer into quadratic work.
 *
 * @example
 * ```ts
 * const fifo = new Fifo<number>();
 * fifo.push(1);
 * fifo.shift(); // 1
 * ```
 */
export class Fifo<Item> {
  #items: Array<Item | undefined> = [];
  #head = 0;

  /** How many items are waiting. */
  get size(): number {
    return this.#items.length - this.#head;
  }

  /** The oldest item, without removing it. */
  peek(): Item | undefined {
    return this.#items[this.#head];
  }

  push(item: Item): void {
    this.#items.push(item);
  }

  /** Removes and returns the oldest item; undefined when empty. */
  shift(): Item | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head++;
    // Compact once the consumed prefix is most of the array, so memory follows the live size.
    if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  clear(): void {
    this.#items = [];
    this.#head = 0;
  }
}
