import { Queue } from '@pgq/queue';
import { describe, expect, it } from 'vitest';
import { setupCliDatabase } from './cli-database.js';

const cli = setupCliDatabase();
const { pgq } = cli;

const json = <T = any>(result: { stdout: string }): T => JSON.parse(result.stdout) as T;

describe('pgq queue', () => {
  it('creates, lists, counts, purges and deletes queues', async () => {
    const created = await pgq([
      'queue',
      'create',
      'emails',
      '--max-attempts',
      '5',
      '--lease',
      '2m',
      '--completed-retention',
      '1h',
    ]);
    expect(created).toMatchObject({ code: 0, stderr: '', stdout: 'Created queue "emails"\n' });
    const [again, other] = await Promise.all([
      pgq(['queue', 'create', 'emails', '--json']),
      pgq(['queue', 'create', 'reports']),
    ]);
    expect(json(again)).toEqual({ queue: 'emails', created: false });
    expect(other.code).toBe(0);

    const [list, table] = await Promise.all([
      pgq(['queue', 'list', '--json']),
      pgq(['queue', 'list']),
    ]);
    expect(json(list)).toEqual([
      expect.objectContaining({
        name: 'emails',
        maxAttempts: 5,
        leaseMs: 120_000,
        completedRetentionSeconds: 3_600,
        deadRetentionSeconds: 1_209_600,
      }),
      expect.objectContaining({ name: 'reports', maxAttempts: 3, leaseMs: 30_000 }),
    ]);
    expect(table.stdout).toMatch(/^QUEUE\s+MAX ATTEMPTS\s+LEASE/);
    expect(table.stdout).toMatch(/\nemails\s+5\s+2m\s+1h\s+14d\s/);

    const emails = new Queue(cli.db.pgq, 'emails');
    await emails.enqueue({ n: 1 });
    await emails.enqueue({ n: 2 });
    await emails.enqueue({ n: 3 }, { delayMs: 3_600_000 });

    const [one, all, people] = await Promise.all([
      pgq(['queue', 'stats', 'emails', '--json']),
      pgq(['queue', 'stats', '--json']),
      pgq(['queue', 'stats']),
    ]);
    expect(json(one)).toMatchObject({
      queue: 'emails',
      pending: 2,
      scheduled: 1,
      active: 0,
      dead: 0,
    });
    expect(json<Array<{ queue: string }>>(all).map((row) => row.queue)).toEqual([
      'emails',
      'reports',
    ]);
    expect(people.stdout).toMatch(/\nemails\s+2\s+1\s+0\s+0\s+0\s+0\s+\d+(ms|s)\n/);
    expect(people.stdout).toMatch(/\nreports\s+0\s+0\s+0\s+0\s+0\s+0\s+-\n/);

    const refused = await pgq(['queue', 'purge', 'emails']);
    expect(refused.code).toBe(2);
    expect((await emails.stats()).pending).toBe(2);
    const purged = await pgq(['queue', 'purge', 'emails', '--yes', '--json']);
    expect(json(purged)).toEqual({ queue: 'emails', purged: 3 });
    expect(await emails.stats()).toMatchObject({ pending: 0, scheduled: 0 });

    const deleted = await pgq(['queue', 'delete', 'reports', '--yes']);
    expect(deleted).toMatchObject({ code: 0, stdout: 'Deleted queue "reports"\n' });
    const [deletedAgain, statsMissing, purgeMissing] = await Promise.all([
      pgq(['queue', 'delete', 'reports', '--yes']),
      pgq(['queue', 'stats', 'reports']),
      pgq(['queue', 'purge', 'reports', '--yes']),
    ]);
    for (const result of [deletedAgain, statsMissing, purgeMissing]) {
      expect(result).toMatchObject({
        code: 1,
        stdout: '',
        stderr:
          'error: Queue "reports" does not exist: create it with queue.create() or `pgq queue create reports`\n',
      });
    }
  });
});

describe('pgq job', () => {
  it('sends jobs with a delay, priority, unique key and max attempts', async () => {
    await new Queue(cli.db.pgq, 'sends').create();
    const [plain, delayed, keyed] = await Promise.all([
      pgq(['job', 'send', 'sends', '{"to":"ada@example.com"}']),
      pgq(['job', 'send', 'sends', '[1,2]', '--delay', '30s', '--priority', '-3', '--json']),
      pgq([
        'job',
        'send',
        'sends',
        '"digest"',
        '--unique-key',
        'daily',
        '--max-attempts',
        '7',
        '--json',
      ]),
    ]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^Sent job \d+ to "sends"\n$/);
    const sends = new Queue(cli.db.pgq, 'sends');

    const delayedJob = await sends.get(json(delayed).id);
    expect(delayedJob).toMatchObject({ payload: [1, 2], priority: -3, state: 'pending' });
    const delayMs = delayedJob!.runAt!.getTime() - delayedJob!.createdAt.getTime();
    expect(delayMs).toBeGreaterThanOrEqual(29_000);
    expect(delayMs).toBeLessThanOrEqual(31_000);

    const keyedJob = await sends.get(json(keyed).id);
    expect(keyedJob).toMatchObject({ payload: 'digest', uniqueKey: 'daily', maxAttempts: 7 });
    const duplicate = await pgq([
      'job',
      'send',
      'sends',
      '"digest"',
      '--unique-key',
      'daily',
      '--json',
    ]);
    expect(json(duplicate)).toEqual({ queue: 'sends', id: json(keyed).id, deduplicated: true });
    const plainId = /job (\d+)/.exec(plain.stdout)![1]!;
    expect((await sends.get(plainId))?.payload).toEqual({ to: 'ada@example.com' });
    expect((await sends.stats()).pending + (await sends.stats()).scheduled).toBe(3);
  });

  it('fails in one line for a queue that does not exist', async () => {
    const result = await pgq(['job', 'send', 'nowhere', '{}']);
    expect(result).toMatchObject({
      code: 1,
      stdout: '',
      stderr:
        'error: Queue "nowhere" does not exist: create it with queue.create() or `pgq queue create nowhere`\n',
    });
    expect((await pgq(['job', 'list', 'nowhere'])).code).toBe(1);
  });

  it('lists, shows, retries and cancels jobs', async () => {
    const work = new Queue(cli.db.pgq, 'work');
    await work.create({ maxAttempts: 1 });
    const { id: deadId } = await work.enqueue({ step: 'dies' });
    const claimed = await work.dequeue();
    expect(claimed?.id).toBe(deadId);
    await work.fail(claimed!, new TypeError('smtp said no'));
    const { id: pendingId } = await work.enqueue({ step: 'waits' }, { priority: 2 });

    const [list, dead, shown, shownJson, shownWithQueue] = await Promise.all([
      pgq(['job', 'list', 'work']),
      pgq(['job', 'list', 'work', '--state', 'dead', '--json']),
      pgq(['job', 'show', deadId]),
      pgq(['job', 'show', deadId, '--json']),
      pgq(['job', 'show', pendingId, '--queue', 'work', '--json']),
    ]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(
      /^ID\s+STATE\s+ATTEMPTS\s+PRIORITY\s+WHEN\s+PAYLOAD\s+LAST ERROR\n/,
    );
    expect(list.stdout).toMatch(
      new RegExp(`\\n\\s*${pendingId}\\s+pending\\s+0/1\\s+2\\s+waiting`),
    );
    expect(list.stdout).toMatch(
      new RegExp(
        `\\n\\s*${deadId}\\s+dead\\s+1/1\\s+0\\s+dead .* ago\\s+\\{"step":"dies"\\}\\s+smtp said no`,
      ),
    );
    expect(json<Array<{ id: string }>>(dead).map((job) => job.id)).toEqual([deadId]);
    expect(shown.stdout).toMatch(/^id\s+\d+\nqueue\s+work\nstate\s+dead/);
    expect(shown.stdout).toContain('last error  TypeError: smtp said no');
    expect(json(shownJson)).toMatchObject({
      id: deadId,
      queue: 'work',
      state: 'dead',
      payload: { step: 'dies' },
      lastError: { name: 'TypeError', message: 'smtp said no' },
    });
    expect(json(shownWithQueue)).toMatchObject({ id: pendingId, state: 'pending', priority: 2 });

    const [retried, cancelled] = await Promise.all([
      pgq(['job', 'retry', deadId]),
      pgq(['job', 'cancel', pendingId, '--json']),
    ]);
    expect(retried).toMatchObject({ code: 0, stdout: `Job ${deadId} is pending again\n` });
    expect(json(cancelled)).toEqual({ id: pendingId, queue: 'work', cancelled: true });
    expect(await work.get(deadId)).toMatchObject({ state: 'pending', attempts: 0 });
    expect(await work.get(pendingId)).toMatchObject({ state: 'cancelled' });

    const [cancelAgain, retryPending, missing, wrongQueue] = await Promise.all([
      pgq(['job', 'cancel', pendingId]),
      pgq(['job', 'retry', deadId]),
      pgq(['job', 'show', '987654321']),
      pgq(['job', 'show', deadId, '--queue', 'nowhere']),
    ]);
    expect(cancelAgain).toMatchObject({
      code: 1,
      stderr: `error: Job ${pendingId} is not pending or active: nothing to cancel\n`,
    });
    expect(retryPending).toMatchObject({
      code: 1,
      stderr: `error: Job ${deadId} is not dead or cancelled: nothing to retry\n`,
    });
    expect(missing).toMatchObject({ code: 1, stderr: 'error: Job 987654321 not found\n' });
    expect(wrongQueue.code).toBe(1);
    expect(wrongQueue.stderr).toContain('Queue "nowhere" does not exist');
  });
});

// Issue 26: a job id is not unique across queues when a row was planted with a chosen one (a
// producer could, before migration 0007; the owner still can). `pgq job cancel <id>` then
// cancelled whichever job it met first, the decoy or the real one. Now it refuses to guess.
describe('pgq job with an id in two queues', () => {
  it('refuses a job id that is in two queues unless --queue names one, and then acts on that one', async () => {
    const billing = new Queue(cli.db.pgq, 'billing');
    const decoys = new Queue(cli.db.pgq, 'decoys');
    await billing.create();
    await decoys.create();
    const { id } = await billing.enqueue({ invoice: 42 });
    await cli.db.pgq.query(
      `insert into ${cli.db.pgq.table('jobs')} (id, queue, payload, max_attempts)
       values ($1, 'decoys', '{"decoy": true}', 1)`,
      [id],
    );

    const ambiguous = `error: Job ${id} is in more than one queue ("billing", "decoys"): name one with --queue\n`;
    const refused = await Promise.all([
      pgq(['job', 'cancel', id]),
      pgq(['job', 'show', id]),
      pgq(['job', 'retry', id]),
    ]);
    for (const result of refused) expect(result).toMatchObject({ code: 2, stderr: ambiguous });
    expect(await billing.get(id)).toMatchObject({ state: 'pending', payload: { invoice: 42 } });
    expect(await decoys.get(id)).toMatchObject({ state: 'pending', payload: { decoy: true } });

    const cancelled = await pgq(['job', 'cancel', id, '--queue', 'billing', '--json']);
    expect(cancelled).toMatchObject({ code: 0 });
    expect(JSON.parse(cancelled.stdout)).toEqual({ id, queue: 'billing', cancelled: true });
    expect(await billing.get(id)).toMatchObject({ state: 'cancelled', payload: { invoice: 42 } });
    expect(await decoys.get(id)).toMatchObject({ state: 'pending' });
  });
});
