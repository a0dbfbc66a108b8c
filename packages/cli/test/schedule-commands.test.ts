import { Queue, Scheduler } from '@pgq/queue';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupCliDatabase } from './cli-database.js';

const cli = setupCliDatabase();
const { pgq } = cli;

beforeAll(async () => {
  await new Queue(cli.db.pgq, 'reports').create();
});

const json = <T = any>(result: { stdout: string }): T => JSON.parse(result.stdout) as T;

describe('pgq schedule', () => {
  it('sets, lists and removes a schedule', async () => {
    const set = await pgq([
      'schedule',
      'set',
      'nightly-report',
      '0 3 * * *',
      '--queue',
      'reports',
      '--timezone',
      'Europe/Paris',
      '--payload',
      '{"kind":"nightly"}',
      '--priority',
      '5',
      '--max-attempts',
      '4',
      '--catch-up',
      'none',
    ]);
    expect(set.stderr).toBe('');
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(
      /^Set schedule "nightly-report": next run \d{4}-\d\d-\d\dT(01|02):00:00\.000Z\n$/,
    );

    const stored = await new Scheduler(cli.db.pgq).get('nightly-report');
    expect(stored).toMatchObject({
      cron: '0 3 * * *',
      timezone: 'Europe/Paris',
      queue: 'reports',
      payload: { kind: 'nightly' },
      options: { priority: 5, maxAttempts: 4 },
      catchUp: 'none',
    });

    const [list, table] = await Promise.all([
      pgq(['schedule', 'list', '--json']),
      pgq(['schedule', 'list']),
    ]);
    expect(json(list)).toEqual([
      expect.objectContaining({
        name: 'nightly-report',
        cron: '0 3 * * *',
        queue: 'reports',
        nextRunAt: stored?.nextRunAt?.toISOString(),
        lastRunAt: null,
      }),
    ]);
    expect(table.stdout).toMatch(/^SCHEDULE\s+CRON\s+TIMEZONE\s+QUEUE\s+CATCH UP\s+NEXT RUN/);
    expect(table.stdout).toContain(
      `nightly-report  0 3 * * *  Europe/Paris  reports  none      ${stored?.nextRunAt?.toISOString()}  -\n`,
    );

    const removed = await pgq(['schedule', 'remove', 'nightly-report', '--json']);
    expect(removed.code).toBe(0);
    expect(json(removed)).toEqual({ schedule: 'nightly-report', removed: true });
    expect(await new Scheduler(cli.db.pgq).list()).toEqual([]);

    const again = await pgq(['schedule', 'remove', 'nightly-report']);
    expect(again).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'error: No schedule named nightly-report\n',
    });
    const empty = await pgq(['schedule', 'list']);
    expect(empty.stdout).toMatch(/^No schedules yet/);
  });

  it('refuses bad input with one line, storing nothing', async () => {
    const [badCron, badZone, noQueue, badJson, badPolicy, badName, missingQueue] =
      await Promise.all([
        pgq(['schedule', 'set', 'broken', '61 * * * *', '--queue', 'reports']),
        pgq(['schedule', 'set', 'broken', '@hourly', '--queue', 'reports', '--timezone', 'Mars']),
        pgq(['schedule', 'set', 'broken', '@hourly', '--queue', 'nowhere']),
        pgq(['schedule', 'set', 'broken', '@hourly', '--queue', 'reports', '--payload', '{bad']),
        pgq(['schedule', 'set', 'broken', '@hourly', '--queue', 'reports', '--catch-up', 'some']),
        pgq(['schedule', 'set', 'bad name!', '@hourly', '--queue', 'reports']),
        pgq(['schedule', 'set', 'broken', '@hourly']),
      ]);
    for (const [result, code] of [
      [badCron, 1],
      [badZone, 1],
      [noQueue, 1],
      [badJson, 2],
      [badPolicy, 2],
      [badName, 2],
      [missingQueue, 2],
    ] as const) {
      expect(result.code).toBe(code);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^error: [^\n]+\n$/);
    }
    expect(badCron.stderr).toMatch(/^error: Invalid schedule: cron: /);
    expect(noQueue.stderr).toMatch(/Queue "nowhere" does not exist/);
    expect(badJson.stderr).toMatch(/^error: Invalid JSON for --payload: /);
    expect(badPolicy.stderr).toMatch(/see `pgq schedule set --help`/);
    expect(missingQueue.stderr).toMatch(/--queue/);
    expect(await new Scheduler(cli.db.pgq).list()).toEqual([]);
  });

  it('shows an example in --help', async () => {
    const help = await pgq(['schedule', 'set', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Examples:\n\s+\$ pgq schedule set nightly-report/);
  });
});
