import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startPostgres } from '../src/index.js';
import { queryOnce } from './query-once.js';

describe('startPostgres', () => {
  it('starts a real server, keeps data across restart, and cleans its folder on stop', async () => {
    const server = await startPostgres({ durable: false });
    try {
      const [version] = (await queryOnce(server.url, 'show server_version_num')) as Array<{
        server_version_num: string;
      }>;
      expect(Number(version?.server_version_num)).toBeGreaterThanOrEqual(140000);
      await queryOnce(server.url, 'create table kept (value int); insert into kept values (7)');
      await server.restart();
      expect(await queryOnce(server.url, 'select value from kept')).toEqual([{ value: 7 }]);
    } finally {
      await server.stop();
    }
    expect(existsSync(server.dataDir)).toBe(false);
  });
});
