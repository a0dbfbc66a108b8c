/**
 * The fast-check seed of this run: `FUZZ_SEED` to replay a failure, else a fresh one. Tests
 * print it on their figure line.
 */
export const fuzzSeed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

/** What `promise` rejected with; undefined when it resolved. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return undefined;
}

/** Runs `make`, returning its value or what it threw (constructors that validate names). */
export function attempt<T>(make: () => T): { value: T } | { error: unknown } {
  try {
    return { value: make() };
  } catch (error) {
    return { error };
  }
}

/**
 * One figure line: `[reliability] <title>: name=value ...`.
 *
 * @example
 * ```ts
 * console.log(figureLine('fuzz names', { seed: 42, queues: '12accepted/30refused' }));
 * ```
 */
export function figureLine(title: string, figures: Record<string, string | number>): string {
  const pairs = Object.entries(figures).map(([name, value]) => `${name}=${value}`);
  return `[reliability] ${title}: ${pairs.join(' ')}`;
}
