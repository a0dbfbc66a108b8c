import { randomBytes } from 'node:crypto';
import type { Dirent } from 'node:fs';
import {
  chmod,
  copyFile,
  link,
  lstat,
  mkdir,
  readdir,
  readlink,
  rename,
  rm,
  symlink,
} from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Makes `target` hold every file, symbolic link and folder of `source`: files are hard-linked
 * (copied across file systems), folders are 0755. Safe for several processes at once: each
 * file appears whole under its name by an atomic rename, so a name already there is whole and
 * kept, and a later call only fills in what is missing (what a temporary-folder cleaner took).
 *
 * `target` may sit in a folder anyone can write to (the temporary folder): a folder of that
 * name that this process's user does not own, or that others can write to, is refused rather
 * than trusted, as what runs from it would then be someone else's.
 */
export async function mirrorFolder(source: string, target: string): Promise<void> {
  await ownFolder(target);
  const [entries, present] = await Promise.all([
    readdir(source, { withFileTypes: true }),
    readdir(target),
  ]);
  const there = new Set(present);
  await Promise.all(
    entries
      .filter((entry) => entry.isDirectory() || !there.has(entry.name))
      .map((entry) => mirrorEntry(entry, join(source, entry.name), join(target, entry.name))),
  );
}

async function mirrorEntry(entry: Dirent, from: string, to: string): Promise<void> {
  if (entry.isDirectory()) return mirrorFolder(from, to);
  if (entry.isSymbolicLink()) {
    const pointsTo = await readlink(from);
    return placeAtomically(to, (temporary) => symlink(pointsTo, temporary));
  }
  if (entry.isFile())
    return placeAtomically(to, (temporary) =>
      link(from, temporary).catch(() => copyFile(from, temporary)),
    );
}

async function ownFolder(folder: string): Promise<void> {
  await mkdir(folder).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  const found = await lstat(folder);
  if (!found.isDirectory() || found.uid !== process.getuid?.() || (found.mode & 0o022) !== 0)
    throw new Error(
      `${folder} is not a folder of this user's that only it can write to; delete it to let it be made again`,
    );
  // mkdir's mode goes through the umask (0077 would shut the server user out).
  if ((found.mode & 0o777) !== 0o755) await chmod(folder, 0o755);
}

async function placeAtomically(path: string, create: (temporary: string) => Promise<void>) {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await create(temporary);
    await rename(temporary, path);
  } finally {
    // Renaming a hard link onto another link of the same file does nothing (POSIX): when
    // another process placed the same file first, the temporary name is still there.
    await rm(temporary, { force: true });
  }
}
