import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mirrorFolder } from './mirror-folder.js';
import { packagedBinaries } from './packaged-binaries.js';
import type { ServerUser } from './server-user.js';

/**
 * The folder of PostgreSQL binaries (`bin`, `lib`, `share`) that `user` can run: the packaged
 * ones, unless a folder above them is closed to that user. That happens as root, where the
 * server runs as an unprivileged user, with a clone under a folder only root can enter
 * (`/root/pgq`, or under `mktemp -d`): `spawn …/initdb EACCES` (issue #16). Then they are
 * mirrored into `<tmpdir>/pgq-postgres-<version>-<platform>-<arch>`.
 *
 * That copy is kept: it is shared by every server and process of this version (each start
 * checks it is whole and fills in what is missing, so several processes can start at once,
 * and a temporary-folder cleaner that took part of it does no harm), and hard links make it
 * take no space when the temporary folder is on the same file system. Deleting it is safe
 * whenever no embedded server runs.
 */
export async function reachableBinaries(user: ServerUser | undefined): Promise<string> {
  const packaged = await packagedBinaries();
  if (!user || (await canRun(packaged.folder, user))) return packaged.folder;
  const copy = join(
    tmpdir(),
    `pgq-postgres-${packaged.version}-${process.platform}-${process.arch}`,
  );
  await mirrorFolder(packaged.folder, copy);
  if (await canRun(copy, user)) return copy;
  throw new Error(
    `The ${user.name} user, which runs PostgreSQL as this process is root, can reach neither ${packaged.folder} nor its copy in ${copy}: it must be able to enter every folder above one of them`,
  );
}

/** Whether `user` can run `bin/postgres` of `folder`: `false` when a folder is closed to it. */
function canRun(folder: string, user: ServerUser): Promise<boolean> {
  const postgres = join(folder, 'bin', 'postgres');
  return new Promise((resolve, reject) => {
    const child = spawn(postgres, ['--version'], { uid: user.uid, gid: user.gid, stdio: 'ignore' });
    child.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EACCES' ? resolve(false) : reject(error),
    );
    child.once('exit', (code, signal) =>
      code === 0
        ? resolve(true)
        : reject(new Error(`${postgres} --version failed (code ${code}, signal ${signal})`)),
    );
  });
}
