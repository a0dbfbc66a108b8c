/**
 * A resettable wake-up signal: `arm()` starts a new round, `wake()` ends it, `wait(ms)`
 * resolves when the round has ended or after `ms`, whichever comes first. A `wake()` between
 * `arm()` and `wait()` is remembered, so no wake-up falls between a check and the wait.
 *
 * @example
 * ```ts
 * const wakeup = new Wakeup();
 * wakeup.arm();
 * if (!(await check())) await wakeup.wait(250); // returns early on wakeup.wake()
 * ```
 */
export class Wakeup {
  #woken: Promise<void> = Promise.resolve();
  #resolve: () => void = () => {};

  /** Starts a new round: the next `wait` blocks until `wake` or its timeout. */
  arm(): void {
    this.#woken = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  /** Ends the current round. */
  wake(): void {
    this.#resolve();
  }

  /** Resolves when the current round ends, or after `ms`. */
  async wait(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    });
    try {
      await Promise.race([this.#woken, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
