import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The unprivileged system user that runs the server when this process is root. */
export interface ServerUser {
  name: string;
  uid: number;
  gid: number;
}

const name = 'postgres';
let found: Promise<ServerUser | undefined> | undefined;

/**
 * Who runs PostgreSQL: this process's user (`undefined`), unless that is root, which
 * PostgreSQL refuses; then the `postgres` system user, created when missing. Looked up once
 * per process.
 */
export function serverUser(): Promise<ServerUser | undefined> {
  found ??= findServerUser().catch((error: unknown) => {
    found = undefined;
    throw error;
  });
  return found;
}

async function findServerUser(): Promise<ServerUser | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const existing = await lookUp().catch(() => undefined);
  if (existing) return existing;
  try {
    await run('groupadd', ['--force', '--system', name]);
    await run('useradd', ['--system', '--gid', name, name]);
  } catch (error) {
    // Another process may have created it meanwhile: then it is there now.
    const created = await lookUp().catch(() => undefined);
    if (created) return created;
    throw new Error(`Could not create the ${name} system user to run PostgreSQL as`, {
      cause: error,
    });
  }
  return lookUp();
}

async function lookUp(): Promise<ServerUser> {
  const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
  return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}
