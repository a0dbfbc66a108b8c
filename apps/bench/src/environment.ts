import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { Redis } from 'ioredis';
import { withClient } from './stores.js';

/** Where the bench ran: the machine and both stores, printed with the results. */
export interface Environment {
  machine: {
    cpu: string;
    cores: number;
    memoryGb: number;
    os: string;
    node: string;
    /** 1, 5 and 15-minute load averages when the bench started: other work skews results. */
    loadAverage: number[];
  };
  postgres: {
    version: string;
    url: string;
    embedded: boolean;
    settings: Record<string, string>;
  };
  redis:
    | { available: true; version: string; url: string; settings: Record<string, string> }
    | { available: false; url: string };
}

const postgresSettings = [
  'fsync',
  'synchronous_commit',
  'wal_level',
  'shared_buffers',
  'max_connections',
] as const;

/** A URL without its password, for printing. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/**
 * Reads the machine, the PostgreSQL server and (when it answers) the Redis server.
 *
 * @example
 * ```ts
 * const environment = await describeEnvironment(databaseUrl, false, redisUrl);
 * ```
 */
export async function describeEnvironment(
  databaseUrl: string,
  embedded: boolean,
  redisUrl: string,
  redisAvailable: boolean,
): Promise<Environment> {
  const postgres = await withClient(databaseUrl, async (client) => {
    const version = (await client.query<{ server_version: string }>('show server_version')).rows[0]!
      .server_version;
    const settings: Record<string, string> = {};
    for (const name of postgresSettings) {
      const { rows } = await client.query<{ setting: string }>(
        'select current_setting($1) as setting',
        [name],
      );
      settings[name] = rows[0]!.setting;
    }
    return { version, url: redactUrl(databaseUrl), embedded, settings };
  });
  const cpu = cpus();
  return {
    machine: {
      cpu: cpu[0]?.model.trim() ?? 'unknown',
      cores: cpu.length,
      memoryGb: Math.round(totalmem() / 2 ** 30),
      os: `${type()} ${release()}`,
      node: process.version,
      loadAverage: loadavg().map((load) => Math.round(load * 100) / 100),
    },
    postgres,
    redis: redisAvailable
      ? await describeRedis(redisUrl)
      : { available: false, url: redactUrl(redisUrl) },
  };
}

async function describeRedis(redisUrl: string): Promise<Environment['redis']> {
  const redis = new Redis(redisUrl);
  try {
    const info = await redis.info('server');
    const version = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
    const settings: Record<string, string> = {};
    for (const name of ['appendonly', 'appendfsync', 'save']) {
      try {
        const reply = (await redis.config('GET', name)) as string[];
        settings[name] = reply[1] ?? '';
      } catch {
        settings[name] = 'unknown';
      }
    }
    return { available: true, version, url: redactUrl(redisUrl), settings };
  } finally {
    redis.disconnect();
  }
}
