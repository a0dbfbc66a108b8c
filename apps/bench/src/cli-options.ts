import { parseArgs } from 'node:util';
import { type SystemName, systems } from './systems.js';
import { type WorkloadId, workloads } from './workloads.js';

/** What `pnpm bench` was asked to do. */
export interface BenchOptions {
  /** The ~2-minute pass: smaller workloads, one repetition. */
  quick: boolean;
  repetitions: number;
  workloads: WorkloadId[];
  systems: SystemName[];
  /** True when --only or --systems narrowed the run (results then go to `partial.*`). */
  partial: boolean;
}

export const usage = `pnpm bench [--quick] [--repetitions N] [--only W1,W3,...] [--systems pgq,bullmq,...]

  --quick          ~2-minute pass: fewer jobs, 1 repetition
  --repetitions N  repetitions per workload (default 3, quick 1)
  --only           workloads to run: ${workloads.map((workload) => workload.id).join(',')}
  --systems        systems to run: ${systems.map((system) => system.name).join(',')}

Environment: DATABASE_URL (default: an embedded PostgreSQL, durable), REDIS_URL
(default redis://127.0.0.1:6379/15; the bench FLUSHDBs it before every run).`;

function list<T extends string>(value: string | undefined, known: readonly T[], what: string): T[] {
  if (value === undefined) return [...known];
  const picked = value.split(',').map((item) => item.trim());
  for (const item of picked) {
    if (!known.includes(item as T)) throw new Error(`Unknown ${what} '${item}'\n\n${usage}`);
  }
  return known.filter((item) => picked.includes(item));
}

/**
 * Reads the command line.
 *
 * @example
 * ```ts
 * parseOptions(['--quick', '--only', 'W1,W3']); // { quick: true, repetitions: 1, workloads: ['W1', 'W3'], … }
 * ```
 */
export function parseOptions(argv: readonly string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv.filter((argument) => argument !== '--'),
    options: {
      quick: { type: 'boolean', default: false },
      repetitions: { type: 'string' },
      only: { type: 'string' },
      systems: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const repetitions = Number(values.repetitions ?? (values.quick ? 1 : 3));
  if (!Number.isInteger(repetitions) || repetitions < 1)
    throw new Error(`--repetitions must be a positive integer\n\n${usage}`);
  return {
    quick: values.quick ?? false,
    repetitions,
    workloads: list(
      values.only,
      workloads.map((workload) => workload.id),
      'workload',
    ),
    systems: list(
      values.systems,
      systems.map((system) => system.name),
      'system',
    ),
    partial: values.only !== undefined || values.systems !== undefined,
  };
}
