import { ValidationError } from '@pgq/core';
import { describe, expect, it } from 'vitest';
import { CronExpression } from './cron-expression.js';

/** The next `count` ticks after `from`, as ISO strings. */
function ticks(expression: string, timeZone: string, from: string, count: number): string[] {
  const cron = new CronExpression(expression, timeZone);
  const found: string[] = [];
  let tick: Date | null = new Date(from);
  while (found.length < count) {
    tick = cron.next(tick);
    if (tick === null) break;
    found.push(tick.toISOString());
  }
  return found;
}

const newYork = 'America/New_York';

describe('CronExpression', () => {
  it('reads 5-field, 6-field and nickname expressions', () => {
    expect(ticks('*/20 * * * *', 'UTC', '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-01T00:20:00.000Z',
      '2026-01-01T00:40:00.000Z',
      '2026-01-01T01:00:00.000Z',
    ]);
    expect(ticks('*/15 * * * * *', 'UTC', '2026-01-01T00:00:00.500Z', 2)).toEqual([
      '2026-01-01T00:00:15.000Z',
      '2026-01-01T00:00:30.000Z',
    ]);
    expect(ticks('@daily', 'Europe/Paris', '2026-01-01T12:00:00Z', 1)).toEqual([
      '2026-01-01T23:00:00.000Z',
    ]);
  });

  it('is strictly after the given instant', () => {
    const cron = new CronExpression('* * * * * *');
    expect(cron.next(new Date('2026-01-01T00:00:00.000Z'))?.toISOString()).toBe(
      '2026-01-01T00:00:01.000Z',
    );
  });

  it('fires a time skipped by spring forward once, shifted by the jump (30 2 * * *)', () => {
    // 2026-03-08: New York clocks go from 02:00 EST to 03:00 EDT; 02:30 does not exist.
    expect(ticks('30 2 * * *', newYork, '2026-03-06T12:00:00Z', 4)).toEqual([
      '2026-03-07T07:30:00.000Z', // 02:30 EST
      '2026-03-08T07:30:00.000Z', // 03:30 EDT: once, an hour late
      '2026-03-09T06:30:00.000Z', // 02:30 EDT
      '2026-03-10T06:30:00.000Z',
    ]);
  });

  it('fires hourly every real hour across spring forward (0 * * * *)', () => {
    expect(ticks('0 * * * *', newYork, '2026-03-08T04:30:00Z', 4)).toEqual([
      '2026-03-08T05:00:00.000Z', // 00:00 EST
      '2026-03-08T06:00:00.000Z', // 01:00 EST
      '2026-03-08T07:00:00.000Z', // 03:00 EDT: 02:00 does not exist
      '2026-03-08T08:00:00.000Z', // 04:00 EDT
    ]);
  });

  it('fires a repeated time once on fall back (30 2 * * *, 30 1 * * *)', () => {
    // 2026-11-01: New York clocks go from 02:00 EDT back to 01:00 EST; 01:xx happens twice.
    expect(ticks('30 2 * * *', newYork, '2026-10-31T12:00:00Z', 3)).toEqual([
      '2026-11-01T07:30:00.000Z', // 02:30 EST (02:30 happens once)
      '2026-11-02T07:30:00.000Z',
      '2026-11-03T07:30:00.000Z',
    ]);
    expect(ticks('30 1 * * *', newYork, '2026-10-31T12:00:00Z', 3)).toEqual([
      '2026-11-01T05:30:00.000Z', // 01:30 EDT, the first pass only
      '2026-11-02T06:30:00.000Z', // 01:30 EST
      '2026-11-03T06:30:00.000Z',
    ]);
    // Asked from inside the repeated hour, it neither goes back nor fires the second pass.
    expect(ticks('30 1 * * *', newYork, '2026-11-01T06:10:00Z', 1)).toEqual([
      '2026-11-02T06:30:00.000Z',
    ]);
  });

  it('fires hourly every real hour across fall back, through the repeated hour (0 * * * *)', () => {
    expect(ticks('0 * * * *', newYork, '2026-11-01T03:30:00Z', 5)).toEqual([
      '2026-11-01T04:00:00.000Z', // 00:00 EDT
      '2026-11-01T05:00:00.000Z', // 01:00 EDT
      '2026-11-01T06:00:00.000Z', // 01:00 EST
      '2026-11-01T07:00:00.000Z', // 02:00 EST
      '2026-11-01T08:00:00.000Z', // 03:00 EST
    ]);
  });

  it('keeps a per-second schedule gapless across both transitions', () => {
    expect(ticks('* * * * * *', newYork, '2026-11-01T05:59:58Z', 3)).toEqual([
      '2026-11-01T05:59:59.000Z',
      '2026-11-01T06:00:00.000Z',
      '2026-11-01T06:00:01.000Z',
    ]);
    expect(ticks('* * * * * *', newYork, '2026-03-08T06:59:58Z', 3)).toEqual([
      '2026-03-08T06:59:59.000Z',
      '2026-03-08T07:00:00.000Z',
      '2026-03-08T07:00:01.000Z',
    ]);
    // Within the repeated hour the next second is always the next real second.
    const cron = new CronExpression('* * * * * *', newYork);
    for (
      let at = Date.parse('2026-11-01T05:00:00Z');
      at < Date.parse('2026-11-01T07:00:00Z');
      at += 397_000
    ) {
      expect(cron.next(new Date(at))?.getTime()).toBe(at + 1_000);
    }
  });

  it('handles a 30-minute DST shift (Australia/Lord_Howe)', () => {
    // 2026-10-04: 02:00 +10:30 becomes 02:30 +11.
    expect(ticks('0 * * * *', 'Australia/Lord_Howe', '2026-10-03T14:00:00Z', 3)).toEqual([
      '2026-10-03T14:30:00.000Z', // 01:00 +10:30
      '2026-10-03T15:30:00.000Z', // 02:00 does not exist: 02:30 +11
      '2026-10-03T16:00:00.000Z', // 03:00 +11
    ]);
  });

  it('returns null for an expression that never fires', () => {
    expect(new CronExpression('0 0 30 2 *').next(new Date('2026-01-01T00:00:00Z'))).toBeNull();
  });

  it('refuses bad expressions and unknown time zones with ValidationError', () => {
    for (const expression of [
      '61 * * * *',
      'not a cron',
      '* * * *',
      '* * * * * * *',
      '',
      '0 9 ? * *',
      '2026-05-01T00:00:00',
      42,
    ]) {
      expect(() => new CronExpression(expression)).toThrow(ValidationError);
    }
    expect(() => new CronExpression('0 * * * *', 'Mars/Olympus')).toThrow(/unknown time zone/);
    expect(() => new CronExpression('0 * * * *', '')).toThrow(ValidationError);
    expect(new CronExpression('0 * * * *', 'utc').timeZone).toBe('UTC');
    expect(new CronExpression('0 * * * *', 'US/Eastern').timeZone).toBe(newYork);
  });
});
