import { describe, expect, it } from 'vitest';
import { CronExpression } from './cron-expression.js';
import { maxCatchUpTicks, maxTicksPerPass, planTicks } from './scheduler-ticks.js';

const hourly = new CronExpression('0 * * * *');
const everySecond = new CronExpression('* * * * * *');
const at = (iso: string) => new Date(iso);
const iso = (dates: Date[]) => dates.map((date) => date.toISOString());

describe('planTicks', () => {
  it('fires an on-time tick and moves to the next one', () => {
    const plan = planTicks({
      cron: hourly,
      nextRunAt: at('2026-01-01T10:00:00Z'),
      now: at('2026-01-01T10:00:00.004Z'),
      graceMs: 60_000,
      catchUp: 'none',
    });
    expect(iso(plan.fire)).toEqual(['2026-01-01T10:00:00.000Z']);
    expect(plan.skipped).toBeUndefined();
    expect(plan.nextRunAt?.toISOString()).toBe('2026-01-01T11:00:00.000Z');
  });

  it('fires nothing before the tick is due', () => {
    const plan = planTicks({
      cron: hourly,
      nextRunAt: at('2026-01-01T10:00:00Z'),
      now: at('2026-01-01T09:59:59.999Z'),
      graceMs: 60_000,
      catchUp: 'all',
    });
    expect(plan.fire).toEqual([]);
    expect(plan.nextRunAt?.toISOString()).toBe('2026-01-01T10:00:00.000Z');
  });

  it('fires every tick late by no more than graceMs, whatever the policy', () => {
    const plan = planTicks({
      cron: everySecond,
      nextRunAt: at('2026-01-01T10:00:00Z'),
      now: at('2026-01-01T10:00:04.500Z'),
      graceMs: 5_000,
      catchUp: 'none',
    });
    expect(plan.fire).toHaveLength(5);
    expect(plan.nextRunAt?.toISOString()).toBe('2026-01-01T10:00:05.000Z');
  });

  const missed = {
    cron: hourly,
    nextRunAt: at('2026-01-01T07:00:00Z'),
    now: at('2026-01-01T10:30:00Z'),
    graceMs: 60_000,
  };

  it('none: skips every missed tick', () => {
    const plan = planTicks({ ...missed, catchUp: 'none' });
    expect(plan.fire).toEqual([]);
    expect(iso([plan.skipped!.first, plan.skipped!.last])).toEqual([
      '2026-01-01T07:00:00.000Z',
      '2026-01-01T10:00:00.000Z',
    ]);
    expect(plan.nextRunAt?.toISOString()).toBe('2026-01-01T11:00:00.000Z');
  });

  it('latest: fires the most recent missed tick only', () => {
    const plan = planTicks({ ...missed, catchUp: 'latest' });
    expect(iso(plan.fire)).toEqual(['2026-01-01T10:00:00.000Z']);
    expect(iso([plan.skipped!.first, plan.skipped!.last])).toEqual([
      '2026-01-01T07:00:00.000Z',
      '2026-01-01T09:00:00.000Z',
    ]);
  });

  it('all: fires each missed tick, oldest first', () => {
    const plan = planTicks({ ...missed, catchUp: 'all' });
    expect(iso(plan.fire)).toEqual([
      '2026-01-01T07:00:00.000Z',
      '2026-01-01T08:00:00.000Z',
      '2026-01-01T09:00:00.000Z',
      '2026-01-01T10:00:00.000Z',
    ]);
    expect(plan.skipped).toBeUndefined();
  });

  it(`all: fires at most the ${maxCatchUpTicks} most recent missed ticks, quickly, after a year away`, () => {
    const started = performance.now();
    const plan = planTicks({
      cron: everySecond,
      nextRunAt: at('2025-01-01T00:00:00Z'),
      now: at('2026-01-01T00:00:00Z'),
      graceMs: 1_000,
      catchUp: 'all',
    });
    expect(performance.now() - started).toBeLessThan(1_000);
    // 100 missed (older than one second) and the on-time ones (the last second, inclusive).
    expect(plan.fire).toHaveLength(maxCatchUpTicks + 2);
    expect(plan.fire[0]!.toISOString()).toBe('2025-12-31T23:58:19.000Z');
    expect(plan.fire.at(-1)!.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(plan.skipped!.first.toISOString()).toBe('2025-01-01T00:00:00.000Z');
    expect(plan.skipped!.last.toISOString()).toBe('2025-12-31T23:58:18.000Z');
  });

  it('uses the expression’s ticks when next_run_at was moved between them', () => {
    const plan = planTicks({
      cron: hourly,
      nextRunAt: at('2026-01-01T07:12:34Z'),
      now: at('2026-01-01T10:30:00Z'),
      graceMs: 60_000,
      catchUp: 'all',
    });
    expect(iso(plan.fire)).toEqual([
      '2026-01-01T08:00:00.000Z',
      '2026-01-01T09:00:00.000Z',
      '2026-01-01T10:00:00.000Z',
    ]);
  });

  it(`fires at most ${maxTicksPerPass} ticks per pass and leaves the rest due`, () => {
    const plan = planTicks({
      cron: everySecond,
      nextRunAt: at('2026-01-01T00:00:00Z'),
      now: at('2026-01-01T00:30:00Z'),
      graceMs: 3_600_000,
      catchUp: 'none',
    });
    expect(plan.fire).toHaveLength(maxTicksPerPass);
    expect(plan.nextRunAt?.toISOString()).toBe('2026-01-01T00:16:40.000Z');
  });
});
