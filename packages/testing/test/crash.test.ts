import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type EmbeddedServer, startPostgres } from '../src/index.js';
import { serverProcesses } from '../src/server-processes.js';
import { queryOnce } from './query-once.js';

/** Starts `text` on a connection of its own and leaves it running; the crash ends both. */
async function leaveRunning(url: string, text: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {}); // the connection drops with the server
  await client.connect();
  const [{ pid }] = (await client.query('select pg_backend_pid() as pid')).rows;
  client.query(text).catch(() => {});
  return pid as number;
}

async function postmasterPid(server: EmbeddedServer): Promise<number> {
  return Number((await readFile(`${server.dataDir}/postmaster.pid`, 'utf8')).split('\n')[0]);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie (exited, not yet reaped by its new parent) still answers signal 0; /proc tells.
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
  return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
}

/** The postmaster and every process in `pg_stat_activity`: backends and background workers. */
async function serverPids(server: EmbeddedServer): Promise<number[]> {
  const rows = await queryOnce<{ pid: number }>(server.url, 'select pid from pg_stat_activity');
  return [await postmasterPid(server), ...rows.map((row) => row.pid)];
}

const rows = 1_000;

describe('a crashed embedded server', () => {
  let server: EmbeddedServer;

  beforeAll(async () => {
    server = await startPostgres();
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('kill() ends the postmaster and every child, even a backend busy in a CPU-bound query', async () => {
    const sleeper = await leaveRunning(server.url, 'select pg_sleep(600)');
    const spinner = await leaveRunning(server.url, 'do $$ begin loop end loop; end $$');
    const pids = await serverPids(server);
    const startedAt = Date.now();
    await server.kill();
    const killMs = Date.now() - startedAt;
    const running = pids.filter(isRunning);
    const left = await serverProcesses(server.dataDir);
    console.log(
      `[testing] kill: killMs=${killMs} processesBefore=${pids.length} stillRunning=${running.length} processesOfDataDir=${left.length}`,
    );
    expect(pids).toEqual(expect.arrayContaining([sleeper, spinner]));
    expect(pids.length).toBeGreaterThanOrEqual(6); // the checkpointer, walwriter, ... too
    expect(running).toEqual([]);
    expect(left).toEqual([]);
    await server.kill(); // not running: nothing to do
  });

  it('restart() after kill() recovers: committed rows stay, UNLOGGED tables come back empty', async () => {
    await server.restart();
    await queryOnce(
      server.url,
      `create table durable (n int);
       create unlogged table scratch (n int);
       insert into durable select generate_series(1, ${rows});
       insert into scratch select generate_series(1, ${rows})`,
    );
    await server.kill();
    const startedAt = Date.now();
    await server.restart();
    const restartMs = Date.now() - startedAt;
    const [counts] = await queryOnce<{ durable: number; scratch: number }>(
      server.url,
      'select (select count(*)::int from durable) as durable, (select count(*)::int from scratch) as scratch',
    );
    console.log(
      `[testing] restart after kill: restartMs=${restartMs} durableRows=${counts?.durable}/${rows} unloggedRows=${counts?.scratch}/${rows}`,
    );
    expect(counts).toEqual({ durable: rows, scratch: 0 });
  });

  it('restart() after a kill -9 from outside resolves and serves queries', async () => {
    const postmaster = await postmasterPid(server);
    process.kill(postmaster, 'SIGKILL');
    // Once reaped, its 'exit' event has fired: the case where restart() used to hang.
    await vi.waitFor(() => expect(() => process.kill(postmaster, 0)).toThrow(), {
      timeout: 5_000,
      interval: 10,
    });
    const startedAt = Date.now();
    await server.restart();
    const restartMs = Date.now() - startedAt;
    const [row] = await queryOnce<{ answer: number }>(server.url, 'select 42 as answer');
    const newPostmaster = await postmasterPid(server);
    console.log(
      `[testing] restart after outside kill -9: restartMs=${restartMs} answer=${row?.answer} newPostmaster=${newPostmaster !== postmaster}`,
    );
    expect(row).toEqual({ answer: 42 });
    expect(newPostmaster).not.toBe(postmaster);
    expect(isRunning(postmaster)).toBe(false);
  });
});

describe('stop()', () => {
  it('is safe twice, and restart() starts the server again when the data was kept', async () => {
    const server = await startPostgres({ durable: false });
    try {
      await queryOnce(server.url, 'create table kept (value int); insert into kept values (7)');
      await server.stop({ keepData: true });
      await server.stop({ keepData: true });
      expect(await serverProcesses(server.dataDir)).toEqual([]);
      await server.restart();
      const kept = await queryOnce<{ value: number }>(server.url, 'select value from kept');
      await server.stop();
      await server.stop();
      console.log(
        `[testing] stop twice: keptRows=${kept.length} folderDeleted=${!existsSync(server.dataDir)}`,
      );
      expect(kept).toEqual([{ value: 7 }]);
      expect(existsSync(server.dataDir)).toBe(false);
      await expect(server.restart()).rejects.toThrow(/keepData/);
    } finally {
      await server.stop();
    }
  });

  it('after a crash ends what is left and deletes the temporary folder', async () => {
    const server = await startPostgres({ durable: false });
    try {
      const pids = await serverPids(server);
      process.kill(pids[0]!, 'SIGKILL');
      await server.stop(); // at once: before Node has even seen the postmaster exit
      const running = pids.filter(isRunning);
      console.log(
        `[testing] stop after crash: processesBefore=${pids.length} stillRunning=${running.length} folderDeleted=${!existsSync(server.dataDir)}`,
      );
      expect(running).toEqual([]);
      expect(existsSync(server.dataDir)).toBe(false);
    } finally {
      await server.stop();
    }
  });
});
