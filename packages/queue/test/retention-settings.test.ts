import { ValidationError } from '@pgq/core';
import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue, type QueueSettings } from '../src/index.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db.dispose();
});

async function storedRetention(name: string) {
  return db.pgq.db
    .selectFrom('queues')
    .select(['completed_retention_seconds', 'dead_retention_seconds'])
    .where('name', '=', name)
    .executeTakeFirst();
}

describe('retention in milliseconds', () => {
  it('is stored in whole seconds, rounded up; the defaults are a day and 14 days', async () => {
    await new Queue(db.pgq, 'retention_default').create();
    expect(await storedRetention('retention_default')).toEqual({
      completed_retention_seconds: 86_400,
      dead_retention_seconds: 1_209_600,
    });
    const queue = new Queue(db.pgq, 'retention_ms');
    await queue.create({ completedRetentionMs: 3_600_000, deadRetentionMs: 1 });
    expect(await storedRetention('retention_ms')).toEqual({
      completed_retention_seconds: 3_600,
      dead_retention_seconds: 1,
    });
    await queue.create({ completedRetentionMs: 1_500, deadRetentionMs: 0 });
    expect(await storedRetention('retention_ms')).toEqual({
      completed_retention_seconds: 2,
      dead_retention_seconds: 0,
    });
  });

  it('still takes the deprecated seconds, alone or agreeing with the milliseconds', async () => {
    const queue = new Queue(db.pgq, 'retention_seconds');
    await queue.create({ completedRetentionSeconds: 60, deadRetentionSeconds: 120 });
    expect(await storedRetention('retention_seconds')).toEqual({
      completed_retention_seconds: 60,
      dead_retention_seconds: 120,
    });
    await queue.create({ completedRetentionMs: 90_000, completedRetentionSeconds: 90 });
    expect(await storedRetention('retention_seconds')).toEqual({
      completed_retention_seconds: 90,
      dead_retention_seconds: 120,
    });
  });

  it.each<[string, QueueSettings]>([
    [
      'both names, different values',
      { completedRetentionMs: 60_000, completedRetentionSeconds: 61 },
    ],
    ['both dead names, different values', { deadRetentionMs: 1_000, deadRetentionSeconds: 0 }],
    ['a negative retention', { deadRetentionMs: -1 }],
    ['a fractional retention', { completedRetentionMs: 1.5 }],
    ['more seconds than the column holds', { completedRetentionMs: 2 ** 31 * 1_000 }],
  ])('refuses %s with ValidationError and writes nothing', async (_case, settings) => {
    const queue = new Queue(db.pgq, 'retention_refused');
    await expect(queue.create(settings)).rejects.toThrow(ValidationError);
    expect(await storedRetention('retention_refused')).toBeUndefined();
  });
});
