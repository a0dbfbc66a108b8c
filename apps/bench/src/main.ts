// `pnpm bench`: every workload on every system, each run in a fresh child process against a
// reset store, in rotating order; then the Markdown table (stdout and results/), the JSON
// beside it and the SVG chart of the ratios.
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type EmbeddedServer, startPostgres } from '@pgq/testing';
import { aggregate, type RunRecord } from './aggregate.js';
import type { ChildRequest } from './child-request.js';
import { type BenchOptions, parseOptions, usage } from './cli-options.js';
import { describeEnvironment } from './environment.js';
import { formatValue } from './reports/format.js';
import { jsonReport } from './reports/json-report.js';
import { markdownReport } from './reports/markdown-report.js';
import type { BenchReport } from './reports/report.js';
import { svgChart } from './reports/svg-chart.js';
import { type ChildOutcome, runChild } from './run-child.js';
import { defaultRedisUrl, redisAnswers, resetStores } from './stores.js';
import { packageVersion, type SystemInfo, systems } from './systems.js';
import { type WorkloadDefinition, workloadById } from './workloads.js';

const resultsFolder = fileURLToPath(new URL('../results/', import.meta.url));

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

// Repetition r of workload w starts at a different system each time, so no system always
// runs first (cold caches) or last (a warm, busy server).
function rotate<T>(items: readonly T[], by: number): T[] {
  if (items.length === 0) return [];
  const shift = by % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

function describeOutcome(definition: WorkloadDefinition, outcome: ChildOutcome): string {
  const seconds = `${(outcome.elapsedMs / 1000).toFixed(1)} s`;
  if (outcome.status === 'failed') return `FAILED (${seconds}): ${outcome.error.split('\n')[0]}`;
  const figures = definition.metrics
    .filter((metric) => outcome.metrics[metric.key] !== undefined)
    .map((metric) => `${formatValue(outcome.metrics[metric.key]!, metric.unit)} ${metric.label}`)
    .join(', ');
  return `${figures} (${seconds})`;
}

async function runAll(
  options: BenchOptions,
  databaseUrl: string,
  redisUrl: string,
  redisAvailable: boolean,
): Promise<RunRecord[]> {
  const runs: RunRecord[] = [];
  for (const [workloadIndex, id] of options.workloads.entries()) {
    const definition = workloadById(id);
    const size = options.quick ? definition.quick : definition.full;
    const timeoutMs = options.quick ? definition.timeoutMs.quick : definition.timeoutMs.full;
    const candidates = systems.filter(
      (system) => system.kinds.includes(definition.kind) && options.systems.includes(system.name),
    );
    log(`\n${definition.id} ${definition.title}: ${definition.describe(size)}`);
    for (let repetition = 1; repetition <= options.repetitions; repetition++) {
      const order = rotate(candidates, workloadIndex + repetition - 1);
      for (const [position, system] of order.entries()) {
        const base = { workload: id, system: system.name, repetition, position: position + 1 };
        const prefix = `  rep ${repetition}/${options.repetitions} ${system.label.padEnd(16)}`;
        if (system.store === 'redis' && !redisAvailable) {
          runs.push({ ...base, status: 'skipped', elapsedMs: 0 });
          log(`${prefix} skipped (no Redis)`);
          continue;
        }
        const request: ChildRequest = {
          workload: id,
          system: system.name,
          size,
          databaseUrl,
          redisUrl: redisAvailable ? redisUrl : undefined,
        };
        let outcome: ChildOutcome;
        try {
          await resetStores(databaseUrl, request.redisUrl);
          outcome = await runChild(request, timeoutMs);
        } catch (error) {
          outcome = { status: 'failed', error: (error as Error).message, elapsedMs: 0 };
        }
        log(`${prefix} ${describeOutcome(definition, outcome)}`);
        runs.push(
          outcome.status === 'ok'
            ? {
                ...base,
                status: 'ok',
                metrics: outcome.metrics,
                notes: outcome.notes,
                elapsedMs: outcome.elapsedMs,
              }
            : { ...base, status: 'failed', error: outcome.error, elapsedMs: outcome.elapsedMs },
        );
      }
    }
  }
  await resetStores(databaseUrl, redisAvailable ? redisUrl : undefined);
  return runs;
}

function systemEntry(system: SystemInfo) {
  return {
    name: system.name,
    label: system.label,
    packageName: system.packageLabel ?? system.packageName,
    version: packageVersion(system.packageName),
    settings: system.settings,
  };
}

async function writeResults(report: BenchReport, markdown: string, partial: boolean) {
  const name = `${report.mode}${partial ? '-partial' : ''}`;
  await mkdir(resultsFolder, { recursive: true });
  await writeFile(`${resultsFolder}${name}.md`, markdown);
  await writeFile(`${resultsFolder}${name}.json`, jsonReport(report));
  await writeFile(`${resultsFolder}${name}.svg`, svgChart(report));
  return `apps/bench/results/${name}.{md,json,svg}`;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options === 'help') {
    console.log(usage);
    return;
  }
  const startedAt = new Date().toISOString();
  let server: EmbeddedServer | undefined;
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    log('DATABASE_URL not set: starting an embedded PostgreSQL (durable: fsync on)…');
    server = await startPostgres({ durable: true });
    databaseUrl = server.url;
  }
  try {
    const planned = options.workloads.some((id) =>
      systems.some(
        (system) =>
          system.kinds.includes(workloadById(id).kind) && options.systems.includes(system.name),
      ),
    );
    if (!planned) throw new Error(`No selected system runs the selected workloads.\n\n${usage}`);
    const redisUrl = process.env.REDIS_URL ?? defaultRedisUrl;
    const redisAvailable = await redisAnswers(redisUrl);
    if (!redisAvailable) log(`Redis did not answer at ${redisUrl}: Redis systems are skipped.`);
    const environment = await describeEnvironment(
      databaseUrl,
      server !== undefined,
      redisUrl,
      redisAvailable,
    );
    const runs = await runAll(options, databaseUrl, redisUrl, redisAvailable);
    const report: BenchReport = {
      startedAt,
      mode: options.quick ? 'quick' : 'full',
      repetitions: options.repetitions,
      command: [
        'pnpm bench',
        ...process.argv.slice(2).filter((argument) => argument !== '--'),
      ].join(' '),
      environment,
      systems: systems
        .filter((system) => runs.some((run) => run.system === system.name))
        .map(systemEntry),
      workloads: aggregate(runs, options.workloads, (definition) =>
        definition.describe(options.quick ? definition.quick : definition.full),
      ),
      runs,
    };
    const markdown = markdownReport(report);
    console.log(markdown);
    log(`Written: ${await writeResults(report, markdown, options.partial)}`);
  } finally {
    await server?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
