import { Cache } from '@pgq/cache';
import { describe, expect, it } from 'vitest';
import { setupCliDatabase } from './cli-database.js';

const cli = setupCliDatabase();
const { pgq } = cli;

describe('pgq cache', () => {
  it('sets, gets and deletes JSON values, per namespace', async () => {
    const [set, setElsewhere] = await Promise.all([
      pgq(['cache', 'set', 'user:42', '{"name":"Ada","tags":["a"]}', '--ttl', '5m']),
      pgq(['cache', 'set', 'user:42', '"other"', '--namespace', 'profiles']),
    ]);
    expect(set).toMatchObject({
      code: 0,
      stderr: '',
      stdout: 'Set "user:42" (expires in 300 s)\n',
    });
    expect(setElsewhere.code).toBe(0);

    // What the CLI wrote is what the library reads, with the TTL it was given.
    const cache = new Cache(cli.db.pgq);
    expect(await cache.get('user:42')).toEqual({ name: 'Ada', tags: ['a'] });
    const ttl = await cache.ttl('user:42');
    expect(ttl).toBeGreaterThan(290);
    expect(ttl).toBeLessThanOrEqual(300);
    expect(await new Cache(cli.db.pgq, { namespace: 'profiles' }).get('user:42')).toBe('other');

    const [got, gotJson, gotElsewhere] = await Promise.all([
      pgq(['cache', 'get', 'user:42']),
      pgq(['cache', 'get', 'user:42', '--json']),
      pgq(['cache', 'get', 'user:42', '-n', 'profiles', '--json']),
    ]);
    expect(got.code).toBe(0);
    expect(JSON.parse(got.stdout)).toEqual({ name: 'Ada', tags: ['a'] });
    expect(JSON.parse(gotJson.stdout)).toEqual({ name: 'Ada', tags: ['a'] });
    expect(JSON.parse(gotElsewhere.stdout)).toBe('other');

    const deleted = await pgq(['cache', 'delete', 'user:42', '--json']);
    expect(deleted.code).toBe(0);
    expect(JSON.parse(deleted.stdout)).toEqual({
      key: 'user:42',
      namespace: 'default',
      deleted: true,
    });
    expect(await cache.has('user:42')).toBe(false);

    const [again, missing] = await Promise.all([
      pgq(['cache', 'delete', 'user:42']),
      pgq(['cache', 'get', 'user:42']),
    ]);
    expect(again).toMatchObject({ code: 0, stdout: '"user:42" was not in the cache\n' });
    expect(missing).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'error: Key "user:42" is not in the cache (namespace "default")\n',
    });
  });

  it('does not return an expired value', async () => {
    await new Cache(cli.db.pgq).set('short', 1, 0.05);
    await cli.db.pgq.query('select pg_sleep(0.1)');
    const result = await pgq(['cache', 'get', 'short']);
    expect(result.code).toBe(1);
  });

  it('counts entries per namespace', async () => {
    await new Cache(cli.db.pgq, { namespace: 'counted' }).setMany(
      [
        ['a', 1],
        ['b', 2],
        ['c', 3],
      ],
      60,
    );
    const [table, one, all] = await Promise.all([
      pgq(['cache', 'stats']),
      pgq(['cache', 'stats', '--namespace', 'counted', '--json']),
      pgq(['cache', 'stats', '--json']),
    ]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^NAMESPACE\s+ENTRIES\s+EXPIRED/);
    expect(table.stdout).toMatch(/\ncounted\s+3\s+0\s/);
    expect(JSON.parse(one.stdout)).toMatchObject({ namespace: 'counted', entries: 3, expired: 0 });
    const namespaces = JSON.parse(all.stdout) as Array<{ namespace: string; entries: number }>;
    expect(namespaces.find((row) => row.namespace === 'counted')?.entries).toBe(3);
  });

  it('refuses a value that is not JSON before writing anything', async () => {
    const result = await pgq(['cache', 'set', 'k', '{oops}']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: Invalid JSON for <json>:/);
    expect(await new Cache(cli.db.pgq).has('k')).toBe(false);
  });
});
