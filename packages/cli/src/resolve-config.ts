import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './errors/config-error.js';

/**
 * The file `pgq` reads from the working directory, when it is there.
 *
 * @example
 * ```ts
 * writeFileSync(configFileName, JSON.stringify({ databaseUrl, schema: 'pgq' }));
 * ```
 */
export const configFileName = 'pgq.config.json';

/** What `pgq.config.json` may hold. */
export interface ConfigFile {
  /** PostgreSQL URL. */
  databaseUrl?: string;
  /** The schema pgq lives in. */
  schema?: string;
}

/** Where a setting came from, in order of precedence. */
export type ConfigSource =
  | 'flag'
  | 'PGQ_DATABASE_URL'
  | 'DATABASE_URL'
  | 'PGQ_SCHEMA'
  | 'pgq.config.json'
  | 'default';

/** Inputs of `resolveConfig`. */
export interface ConfigInputs {
  /** `--database-url` and `--schema`, when given. */
  flags: { databaseUrl?: string | undefined; schema?: string | undefined };
  env: Readonly<Record<string, string | undefined>>;
  /** Where to look for `pgq.config.json`. */
  cwd: string;
}

/** The settings a command runs with, and where each came from. */
export interface ResolvedConfig {
  /** Undefined: `pg`'s own defaults (`PGHOST`, `PGPORT`, ... or localhost:5432). */
  databaseUrl: string | undefined;
  schema: string;
  sources: { databaseUrl: ConfigSource; schema: ConfigSource };
  /** The config file that was read, if any. */
  configFile: string | undefined;
}

const allowedKeys: ReadonlySet<string> = new Set(['databaseUrl', 'schema']);

/**
 * Resolves the database URL and schema: flags first, then the environment
 * (`PGQ_DATABASE_URL`, then `DATABASE_URL`; `PGQ_SCHEMA`), then `pgq.config.json` in the
 * working directory, then the defaults (pg's own connection defaults; schema `pgq`).
 * Empty values count as unset.
 *
 * @example
 * ```ts
 * const config = resolveConfig({ flags: {}, env: process.env, cwd: process.cwd() });
 * config.sources.databaseUrl; // 'DATABASE_URL'
 * ```
 */
export function resolveConfig(inputs: ConfigInputs): ResolvedConfig {
  const { path, file } = readConfigFile(inputs.cwd);
  const databaseUrl = firstOf<ConfigSource>([
    ['flag', inputs.flags.databaseUrl],
    ['PGQ_DATABASE_URL', inputs.env.PGQ_DATABASE_URL],
    ['DATABASE_URL', inputs.env.DATABASE_URL],
    ['pgq.config.json', file?.databaseUrl],
  ]);
  const schema = firstOf<ConfigSource>([
    ['flag', inputs.flags.schema],
    ['PGQ_SCHEMA', inputs.env.PGQ_SCHEMA],
    ['pgq.config.json', file?.schema],
  ]);
  return {
    databaseUrl: databaseUrl?.[1],
    schema: schema?.[1] ?? 'pgq',
    sources: { databaseUrl: databaseUrl?.[0] ?? 'default', schema: schema?.[0] ?? 'default' },
    configFile: file ? path : undefined,
  };
}

function firstOf<Source>(
  candidates: Array<[Source, string | undefined]>,
): [Source, string] | undefined {
  for (const [source, value] of candidates) {
    if (value !== undefined && value !== '') return [source, value];
  }
  return undefined;
}

function readConfigFile(cwd: string): { path: string; file: ConfigFile | undefined } {
  const path = join(cwd, configFileName);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { path, file: undefined };
    throw new ConfigError(path, (error as Error).message, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(path, `not valid JSON (${(error as Error).message})`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(
      path,
      'expected a JSON object like {"databaseUrl": "...", "schema": "pgq"}',
    );
  }
  for (const [key, value] of Object.entries(parsed)) {
    if (!allowedKeys.has(key)) {
      throw new ConfigError(path, `unknown key "${key}" (allowed: ${[...allowedKeys].join(', ')})`);
    }
    if (typeof value !== 'string') throw new ConfigError(path, `"${key}" must be a string`);
  }
  return { path, file: parsed as ConfigFile };
}
