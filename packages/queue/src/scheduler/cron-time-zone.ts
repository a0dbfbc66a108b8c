import { ValidationError } from '@pgq/core';

/**
 * The offsets in force around an instant: `early` before `transition`, `late` from it on.
 * With no transition nearby both are the same and `transition` is undefined.
 *
 * @example
 * ```ts
 * const { early, late, transition }: OffsetSpan = zone.span(Date.now(), 6 * 3_600_000);
 * ```
 */
export interface OffsetSpan {
  /** Milliseconds to add to an instant to get its wall-clock time, before the transition. */
  early: number;
  /** The same, from the transition on. */
  late: number;
  /** The first instant (ms) with the `late` offset, when the offset changes nearby. */
  transition: number | undefined;
}

/**
 * One IANA time zone: the UTC offset at any instant, and transitions (DST) nearby, read
 * from the runtime's `Intl` (its tz database). Used by `CronExpression` to map cron's
 * wall-clock times to instants.
 *
 * @example
 * ```ts
 * const zone = new CronTimeZone('America/New_York');
 * zone.offsetAt(Date.parse('2026-07-01T12:00:00Z')); // -14_400_000 (EDT, UTC-4)
 * ```
 */
export class CronTimeZone {
  /** The zone's canonical name, e.g. `America/New_York`. */
  readonly name: string;
  // undefined for UTC: no offset, no transitions, no Intl call.
  readonly #format: Intl.DateTimeFormat | undefined;

  /** Throws `ValidationError` for a zone the runtime does not know. */
  constructor(timeZone: unknown) {
    this.name = resolveTimeZone(timeZone);
    this.#format =
      this.name === 'UTC'
        ? undefined
        : new Intl.DateTimeFormat('en-US', {
            timeZone: this.name,
            hourCycle: 'h23',
            year: 'numeric',
            month: 'numeric',
            day: 'numeric',
            hour: 'numeric',
            minute: 'numeric',
            second: 'numeric',
          });
  }

  /** Milliseconds to add to the instant `instantMs` to get its wall-clock time in this zone. */
  offsetAt(instantMs: number): number {
    if (!this.#format) return 0;
    const seconds = Math.floor(instantMs / 1000) * 1000;
    const fields: Record<string, number> = {};
    for (const part of this.#format.formatToParts(seconds)) {
      if (part.type !== 'literal') fields[part.type] = Number(part.value);
    }
    const wall = Date.UTC(
      fields.year!,
      fields.month! - 1,
      fields.day!,
      fields.hour!,
      fields.minute!,
      fields.second!,
    );
    return wall - seconds;
  }

  /**
   * The offsets within `radiusMs` of `centerMs`, and the instant they change when they do.
   * Assumes at most one transition in the span: real zones change offset months apart.
   */
  span(centerMs: number, radiusMs: number): OffsetSpan {
    const early = this.offsetAt(centerMs - radiusMs);
    const late = this.offsetAt(centerMs + radiusMs);
    if (early === late) return { early, late, transition: undefined };
    // Transitions fall on whole seconds; halve the span down to one second.
    let low = centerMs - radiusMs;
    let high = centerMs + radiusMs;
    while (high - low > 1000) {
      const middle = Math.floor((low + high) / 2000) * 1000;
      if (this.offsetAt(middle) === early) low = middle;
      else high = middle;
    }
    return { early, late, transition: high };
  }
}

/**
 * Checks an IANA time zone name with the runtime's `Intl` and returns its canonical spelling
 * (`'utc'` → `'UTC'`, `'US/Eastern'` → `'America/New_York'`). Throws `ValidationError` for a
 * zone the runtime does not know.
 *
 * @example
 * ```ts
 * resolveTimeZone('Europe/Paris'); // 'Europe/Paris'
 * resolveTimeZone('Mars/Olympus'); // throws ValidationError
 * ```
 */
export function resolveTimeZone(timeZone: unknown): string {
  if (typeof timeZone !== 'string' || timeZone.trim() === '') {
    throw new ValidationError('Invalid schedule', [
      { path: ['timezone'], message: 'must be an IANA time zone name such as "Europe/Paris"' },
    ]);
  }
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
    return resolved === 'Etc/UTC' || resolved === 'Etc/GMT' ? 'UTC' : resolved;
  } catch (error) {
    throw new ValidationError(
      'Invalid schedule',
      [{ path: ['timezone'], message: `unknown time zone ${JSON.stringify(timeZone)}` }],
      { cause: error },
    );
  }
}
