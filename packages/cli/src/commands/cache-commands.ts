import { Cache, type CacheStats, listCacheNamespaces } from '@pgq/cache';
import type { Command } from 'commander';
import { durationOption, parseJsonArgument } from '../argument-parsers.js';
import type { CliContext } from '../cli-context.js';
import { NotFoundError } from '../errors/not-found-error.js';
import { UsageError } from '../errors/usage-error.js';
import { formatTable } from '../format-table.js';
import { withExample } from '../help-example.js';

interface NamespaceOption {
  namespace: string;
}

/**
 * `pgq cache get | set | delete | stats`.
 *
 * @example
 * ```ts
 * registerCacheCommands(program, context);
 * ```
 */
export function registerCacheCommands(program: Command, context: CliContext): void {
  const cache = withExample(
    program.command('cache').description('read and write the cache'),
    `pgq cache set user:42 '{"name":"Ada"}' --ttl 5m`,
    'pgq cache get user:42',
  );
  const namespaceOption = ['-n, --namespace <name>', 'cache namespace', 'default'] as const;
  const open = async (namespace: string) => new Cache(await context.connect(), { namespace });

  withExample(
    cache
      .command('get')
      .description('print the value of a key as JSON (exit 1 when missing or expired)')
      .argument('<key>', 'the key')
      .option(...namespaceOption),
    'pgq cache get user:42 --namespace profiles',
  ).action(async (key: string, options: NamespaceOption) => {
    const value = await (await open(options.namespace)).get(key);
    if (value === undefined) {
      throw new NotFoundError(
        `Key "${key}" is not in the cache (namespace "${options.namespace}")`,
      );
    }
    const printable = Buffer.isBuffer(value) ? { base64: value.toString('base64') } : value;
    context.print(printable, (shown) => JSON.stringify(shown, null, 2));
  });

  withExample(
    cache
      .command('set')
      .description('store a JSON value under a key')
      .argument('<key>', 'the key')
      .argument('<json>', 'the value as JSON')
      .option(
        '--ttl <duration>',
        'expire after this long: 300 (seconds), 5m, 2h; default never',
        durationOption,
      )
      .option(...namespaceOption),
    `pgq cache set feature-flags '{"beta":true}' --ttl 300`,
  ).action(async (key: string, text: string, options: NamespaceOption & { ttl?: number }) => {
    const value = parseJsonArgument(text);
    if (options.ttl !== undefined && options.ttl <= 0)
      throw new UsageError('--ttl must be above 0');
    const ttlSeconds = options.ttl === undefined ? undefined : options.ttl / 1_000;
    await (await open(options.namespace)).set(key, value, ttlSeconds);
    context.print({ key, namespace: options.namespace, ttlSeconds: ttlSeconds ?? null }, () =>
      ttlSeconds === undefined
        ? `Set "${key}" (no expiry)`
        : `Set "${key}" (expires in ${ttlSeconds} s)`,
    );
  });

  withExample(
    cache
      .command('delete')
      .description('delete a key (exit 0 whether or not it was there)')
      .argument('<key>', 'the key')
      .option(...namespaceOption),
    'pgq cache delete user:42',
  ).action(async (key: string, options: NamespaceOption) => {
    const deleted = await (await open(options.namespace)).delete(key);
    context.print({ key, namespace: options.namespace, deleted }, () =>
      deleted ? `Deleted "${key}"` : `"${key}" was not in the cache`,
    );
  });

  withExample(
    cache
      .command('stats')
      .description('entries and size per namespace (every namespace unless --namespace)')
      .option('-n, --namespace <name>', 'only this namespace'),
    'pgq cache stats',
    'pgq cache stats --namespace profiles --json',
  ).action(async (options: { namespace?: string }) => {
    const pgq = await context.connect();
    const namespaces = options.namespace ? [options.namespace] : await listCacheNamespaces(pgq);
    const stats: CacheStats[] = [];
    for (const namespace of namespaces.length > 0 ? namespaces : ['default']) {
      stats.push(await new Cache(pgq, { namespace }).stats());
    }
    context.print(options.namespace ? stats[0] : stats, () =>
      formatTable(stats, [
        { header: 'NAMESPACE', value: (row) => row.namespace },
        { header: 'ENTRIES', value: (row) => row.entries },
        { header: 'EXPIRED', value: (row) => row.expired },
        { header: 'PAYLOAD BYTES', value: (row) => row.payloadBytes },
        { header: 'TABLE BYTES', value: (row) => row.tableBytes },
      ]),
    );
  });
}
