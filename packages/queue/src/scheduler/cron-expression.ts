import { ValidationError } from '@pgq/core';
import { Cron, CronPattern } from 'croner';
import { CronTimeZone } from './cron-time-zone.js';

// Around an instant, the span checked for a DST transition; around a wall-clock time, the
// span that surely holds its instants (offsets stay within UTC-12 and UTC+14).
const nearRadiusMs = 6 * 3_600_000;
const farRadiusMs = 24 * 3_600_000;
// Wall-clock ticks tried per start point before giving up on it (a safety net: one or two do).
const maxStepsPerStart = 10_000;

/**
 * A cron expression in a time zone: when it fires next, with daylight saving time handled.
 * Parsing and calendar matching are croner's; turning wall-clock times into instants is done
 * here, because croner 9 gets the fall-back hour wrong (from 01:59:59 EDT it skips to 02:00
 * EST, an hour later, and from inside the repeated hour it returns instants in the past).
 *
 * Five fields (minute precision) or six (seconds first), `@hourly`-style nicknames, `L`, `W`
 * and `#` as croner reads them. When both day-of-month and day-of-week are restricted, a day
 * matching either fires, as in Vixie cron. Across DST changes:
 * - a wall-clock time skipped by spring forward fires once, shifted by the jump
 *   (`30 2 * * *` in New York fires at 03:30 EDT on the day clocks go 02:00 → 03:00);
 * - a wall-clock time that occurs twice (fall back) fires once, at its first occurrence,
 *   unless the expression matches every hour (`0 * * * *`, `15,45 * * * *`, `* * * * * *`):
 *   those keep firing through the repeated hour, so they never skip real time.
 *
 * @example
 * ```ts
 * const cron = new CronExpression('30 2 * * *', 'America/New_York');
 * cron.next(new Date('2026-03-08T00:00:00Z')); // 2026-03-08T07:30:00.000Z (03:30 EDT)
 * ```
 */
export class CronExpression {
  /** The expression as given (trimmed). */
  readonly expression: string;
  /** The time zone's canonical name. */
  readonly timeZone: string;
  /** True when the hour field matches every hour: such schedules fire in both passes of a repeated hour. */
  readonly everyHour: boolean;
  // Matches wall-clock times: croner at a fixed UTC offset of 0, where no clock ever jumps.
  readonly #wall: Cron;
  readonly #zone: CronTimeZone;

  /** Throws `ValidationError` for an expression croner cannot read or an unknown time zone. */
  constructor(expression: unknown, timeZone: unknown = 'UTC') {
    this.expression = checkExpression(expression);
    this.#zone = new CronTimeZone(timeZone);
    this.timeZone = this.#zone.name;
    let pattern: CronPattern;
    try {
      pattern = new CronPattern(this.expression);
      this.#wall = new Cron(this.expression, { utcOffset: 0, paused: true });
    } catch (error) {
      throw new ValidationError(
        'Invalid schedule',
        [{ path: ['cron'], message: `${JSON.stringify(this.expression)}: ${errorText(error)}` }],
        { cause: error },
      );
    }
    this.everyHour = pattern.hour.every((hour) => hour !== 0);
  }

  /** The first tick strictly after `after`, or null when there is none (before year 3000). */
  next(after: Date): Date | null {
    const afterMs = after.getTime();
    const near = this.#zone.span(afterMs, nearRadiusMs);
    if (near.transition === undefined) {
      const wall = this.#wallAfter(afterMs + near.early);
      if (wall === null) return null;
      // Still inside the span with one offset: the mapping is plain arithmetic.
      if (wall - near.early <= afterMs + nearRadiusMs) return new Date(wall - near.early);
      const instant = this.#firstInstantAfter(wall, afterMs);
      return instant === null ? null : new Date(instant);
    }
    // A transition is near: the next tick may come from before it, from after it, or from the
    // wall-clock times it skips (or repeats); start a scan at each and keep the earliest.
    const { early, late, transition } = near;
    const fromTransition = Math.max(afterMs, transition - 1);
    const starts = [afterMs + early, fromTransition + late];
    if (late > early) starts.push(fromTransition + early);
    // Fall back without `everyHour`: the repeated hour's second pass fires nothing, so the
    // post-transition scan starts where the wall clock passes its pre-transition reading.
    else if (!this.everyHour) starts[1] = Math.max(afterMs + late, transition + early - 1);
    let best: number | null = null;
    for (const start of starts) {
      const wall = this.#wallAfter(start);
      const instant = wall === null ? null : this.#firstInstantAfter(wall, afterMs);
      if (instant !== null && (best === null || instant < best)) best = instant;
    }
    return best === null ? null : new Date(best);
  }

  // The first wall-clock tick strictly after `wallMs` (milliseconds ignored), or null.
  #wallAfter(wallMs: number): number | null {
    return this.#wall.nextRun(new Date(wallMs))?.getTime() ?? null;
  }

  // The earliest instant after `afterMs` of the wall-clock tick `wall` or of those following it.
  #firstInstantAfter(wall: number, afterMs: number): number | null {
    let current: number | null = wall;
    for (let step = 0; current !== null && step < maxStepsPerStart; step++) {
      const instant = this.#instantsAt(current).find((candidate) => candidate > afterMs);
      if (instant !== undefined) return instant;
      current = this.#wallAfter(current);
    }
    return null;
  }

  // The instants at which a matching wall-clock time fires, earliest first.
  #instantsAt(wall: number): number[] {
    const { early, late, transition } = this.#zone.span(wall, farRadiusMs);
    if (transition === undefined) return [wall - early];
    const first = wall - early;
    const second = wall - late;
    const firstExists = first < transition;
    const secondExists = second >= transition;
    if (firstExists && secondExists) return this.everyHour ? [first, second] : [first];
    if (firstExists) return [first];
    if (secondExists) return [second];
    // Skipped by spring forward: fire as if the clock had not jumped yet (02:30 → 03:30).
    return [first];
  }
}

function checkExpression(expression: unknown): string {
  const problem =
    typeof expression !== 'string' || expression.trim() === ''
      ? 'must be a cron expression such as "0 3 * * *"'
      : expression.includes('?')
        ? // croner replaces "?" with the time of parsing, which differs from process to process.
          '"?" is not supported: use "*"'
        : undefined;
  if (problem)
    throw new ValidationError('Invalid schedule', [{ path: ['cron'], message: problem }]);
  return (expression as string).trim();
}

function errorText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^CronPattern: /, '');
}
