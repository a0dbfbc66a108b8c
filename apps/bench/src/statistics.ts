/** Median, minimum and maximum of a set of repetitions. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  /** How many values there were. */
  count: number;
}

/**
 * The `fraction` percentile (0–1) of `values` by nearest rank.
 *
 * @example
 * ```ts
 * percentile([1, 2, 3, 4], 0.5); // 2
 * ```
 */
export function percentile(values: readonly number[], fraction: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((left, right) => left - right);
  const rank = Math.max(1, Math.ceil(fraction * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/**
 * The median (mean of the middle two for an even count), minimum and maximum.
 *
 * @example
 * ```ts
 * spreadOf([3, 1, 2]); // { median: 2, min: 1, max: 3, count: 3 }
 * ```
 */
export function spreadOf(values: readonly number[]): Spread {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  const median =
    sorted.length === 0
      ? Number.NaN
      : sorted.length % 2 === 1
        ? sorted[middle]!
        : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return {
    median,
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
    count: sorted.length,
  };
}

/** p50/p95/p99 of latencies, in the same unit as the input. */
export function latencySummary(latencies: readonly number[]): {
  p50: number;
  p95: number;
  p99: number;
} {
  return {
    p50: percentile(latencies, 0.5),
    p95: percentile(latencies, 0.95),
    p99: percentile(latencies, 0.99),
  };
}
