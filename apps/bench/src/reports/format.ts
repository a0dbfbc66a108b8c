import type { Spread } from '../statistics.js';
import type { MetricDefinition } from '../workloads.js';

/**
 * A number the way the tables show it: throughput grouped (48,231), latency with two
 * significant decimals below 10 ms.
 *
 * @example
 * ```ts
 * formatValue(48231.4, '/s'); // '48,231'
 * formatValue(0.734, 'ms');   // '0.73'
 * ```
 */
export function formatValue(value: number, unit: MetricDefinition['unit']): string {
  if (!Number.isFinite(value)) return '–';
  if (unit === 'ms') {
    if (value < 10) return value.toFixed(2);
    if (value < 100) return value.toFixed(1);
    return Math.round(value).toLocaleString('en-US');
  }
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1);
}

/** `median (min–max)`, or just the median when there was one value or no spread. */
export function formatSpread(spread: Spread, format: (value: number) => string): string {
  const median = format(spread.median);
  if (spread.count < 2) return median;
  const min = format(spread.min);
  const max = format(spread.max);
  return min === max ? median : `${median} (${min}–${max})`;
}

/** A ratio: `1.98×`. */
export function formatRatio(value: number): string {
  if (!Number.isFinite(value)) return '–';
  return `${value >= 10 ? value.toFixed(1) : value.toFixed(2)}×`;
}

/** True when pgq is ahead at this ratio of pgq ÷ peer. */
export function pgqAhead(ratio: number, metric: MetricDefinition): boolean {
  return metric.better === 'higher' ? ratio >= 1 : ratio <= 1;
}
