import type { CronExpression } from './cron-expression.js';
import type { CatchUpPolicy } from './scheduler-options.js';

/** The most missed ticks `catchUp: 'all'` fires in one go: the most recent ones. */
export const maxCatchUpTicks = 100;
/** The most ticks one schedule fires per pass; the rest fire in the next pass, at once. */
export const maxTicksPerPass = 1_000;

const minuteMs = 60_000;
const dayMs = 86_400_000;
// Spans searched, narrowest first, for the most recent missed ticks: counting forward from a
// schedule's next_run_at of years ago would take millions of steps for a per-second cron.
const searchWidthsMs = [2 * minuteMs, 120 * minuteMs, 2 * dayMs, 64 * dayMs, 1_464 * dayMs];
const maxSearchSteps = 200_000;

/**
 * What one pass does for one due schedule.
 *
 * @example
 * ```ts
 * const { fire, skipped, nextRunAt }: TickPlan = planTicks(input);
 * ```
 */
export interface TickPlan {
  /** The ticks to enqueue a job for, oldest first. */
  fire: Date[];
  /** Missed ticks left without a job (the first and the last of them), if any. */
  skipped: { first: Date; last: Date } | undefined;
  /** The schedule's next tick to fire after this pass (null: it never fires again). */
  nextRunAt: Date | null;
}

/**
 * What `planTicks` needs.
 *
 * @example
 * ```ts
 * const input: TickPlanInput = { cron, nextRunAt, now, graceMs: 60_000, catchUp: 'latest' };
 * ```
 */
export interface TickPlanInput {
  cron: CronExpression;
  /** The schedule's stored next tick (the first not fired yet). */
  nextRunAt: Date;
  /** The database clock now. */
  now: Date;
  graceMs: number;
  catchUp: CatchUpPolicy;
}

/**
 * Decides which of a schedule's due ticks (from `nextRunAt` to `now`) get a job. A tick at
 * most `graceMs` old is on time and always fires. Older ticks were missed: `none` fires none
 * of them, `latest` the most recent, `all` each (at most the 100 most recent). Pure: no I/O.
 *
 * @example
 * ```ts
 * const plan = planTicks({ cron, nextRunAt, now, graceMs: 60_000, catchUp: 'latest' });
 * ```
 */
export function planTicks(input: TickPlanInput): TickPlan {
  const { cron, now, graceMs, catchUp } = input;
  const nowMs = now.getTime();
  const cutoffMs = nowMs - graceMs;
  // Ticks are the expression's: a next_run_at moved by hand between ticks still fires real ones.
  const first = cron.next(new Date(input.nextRunAt.getTime() - 1));
  if (first === null || first.getTime() > nowMs) {
    return { fire: [], skipped: undefined, nextRunAt: first };
  }
  const keep = catchUp === 'all' ? maxCatchUpTicks : catchUp === 'latest' ? 1 : 0;
  // One more than kept, to learn the last skipped tick.
  const missed = first.getTime() < cutoffMs ? lastTicksBefore(cron, first, cutoffMs, keep + 1) : [];
  const fire = missed.slice(Math.max(0, missed.length - keep));
  const lastSkipped = missed.length > keep ? missed[missed.length - keep - 1] : undefined;
  const skipped = lastSkipped ? { first, last: lastSkipped } : undefined;
  let tick = first.getTime() >= cutoffMs ? first : cron.next(new Date(cutoffMs - 1));
  while (tick !== null && tick.getTime() <= nowMs) {
    if (fire.length === maxTicksPerPass) return { fire, skipped, nextRunAt: tick };
    fire.push(tick);
    tick = cron.next(tick);
  }
  return { fire, skipped, nextRunAt: tick };
}

// The last `count` ticks in [first, beforeMs), oldest first: the newest are searched in ever
// wider spans ending at `beforeMs`, until a span holds `count` of them or starts at `first`.
function lastTicksBefore(
  cron: CronExpression,
  first: Date,
  beforeMs: number,
  count: number,
): Date[] {
  for (const widthMs of [...searchWidthsMs, Number.POSITIVE_INFINITY]) {
    const startMs = Math.max(first.getTime(), beforeMs - widthMs);
    const found: Date[] = [];
    let tick = startMs === first.getTime() ? first : cron.next(new Date(startMs - 1));
    for (let step = 0; tick !== null && tick.getTime() < beforeMs; step++) {
      found.push(tick);
      if (found.length > count) found.shift();
      if (step === maxSearchSteps) break;
      tick = cron.next(tick);
    }
    if (found.length >= count || startMs === first.getTime()) return found;
  }
  return [];
}
