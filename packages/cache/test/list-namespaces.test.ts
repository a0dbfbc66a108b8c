import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cache, listCacheNamespaces } from '../src/index.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db.dispose();
});

describe('listCacheNamespaces', () => {
  it('lists the namespaces holding entries, expired ones included, sorted, each once', async () => {
    expect(await listCacheNamespaces(db.pgq)).toEqual([]);
    await new Cache(db.pgq, { namespace: 'profiles' }).setMany([
      ['a', 1],
      ['b', 2],
    ]);
    await new Cache(db.pgq).set('flags', { beta: true });
    // Expired and not swept yet: still a row, so still listed.
    await db.pgq.query(
      `insert into ${db.pgq.table('cache_entries')} (namespace, key, value, expires_at)
       values ('expired', 'old', '1', now() - interval '1 minute')`,
    );
    expect(await listCacheNamespaces(db.pgq)).toEqual(['default', 'expired', 'profiles']);
  });

  it('drops a namespace once its last entry is gone', async () => {
    const profiles = new Cache(db.pgq, { namespace: 'profiles' });
    await profiles.clear();
    expect(await listCacheNamespaces(db.pgq)).not.toContain('profiles');
    expect(await listCacheNamespaces(db.pgq)).toContain('default');
  });
});
