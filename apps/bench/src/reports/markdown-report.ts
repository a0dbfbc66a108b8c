import type { SystemSummary, WorkloadSummary } from '../aggregate.js';
import type { Environment } from '../environment.js';
import { type SystemName, systemByName } from '../systems.js';
import { type MetricDefinition, workloadById } from '../workloads.js';
import { formatRatio, formatSpread, formatValue } from './format.js';
import type { BenchReport } from './report.js';

const labelOf = (name: SystemName) => systemByName(name).label;

function row(cells: readonly string[]): string {
  return `| ${cells.map((cell) => cell.replaceAll('|', '\\|')).join(' | ')} |`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const align = header.map((_, index) => (index === 0 ? '---' : '--:'));
  return [row(header), row(align), ...rows.map(row)];
}

function statusCell(summary: SystemSummary | undefined): string | undefined {
  if (!summary) return '–';
  if (summary.status === 'failed') return 'failed';
  if (summary.status === 'skipped') return 'skipped';
  return undefined;
}

function metricCell(summary: SystemSummary | undefined, metric: MetricDefinition): string {
  const status = statusCell(summary);
  if (status) return status;
  const spread = summary?.metrics[metric.key];
  if (!spread) return '–';
  const text = formatSpread(spread, (value) => formatValue(value, metric.unit));
  return summary?.status === 'partial' ? `${text} ⚠` : text;
}

function ratioCell(workload: WorkloadSummary, peer: SystemName, metric: MetricDefinition): string {
  const status = statusCell(workload.systems.find((system) => system.system === peer));
  if (status) return status;
  const spread = workload.ratios.find((ratio) => ratio.peer === peer)?.metrics[metric.key];
  return spread ? formatSpread(spread, formatRatio) : '–';
}

function environmentLines(environment: Environment): string[] {
  const { machine, postgres, redis } = environment;
  const postgresSettings = Object.entries(postgres.settings)
    .map(([name, value]) => `${name} ${value}`)
    .join(', ');
  const redisLine = redis.available
    ? `**Redis** ${redis.version} at \`${redis.url}\`: ${Object.entries(redis.settings)
        .map(([name, value]) => `${name} ${value === '' ? '""' : value}`)
        .join(', ')}`
    : `**Redis**: no answer at \`${redis.url}\`: Redis systems skipped`;
  return [
    `**Machine**: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB RAM, ${machine.os}; Node ${machine.node}; load average at start ${machine.loadAverage.join(' / ')} (1 / 5 / 15 min)`,
    '',
    `**PostgreSQL** ${postgres.version} ${postgres.embedded ? '(embedded, started by the bench)' : `at \`${postgres.url}\` (DATABASE_URL)`}: ${postgresSettings}`,
    '',
    redisLine,
  ];
}

function summaryTable(report: BenchReport): string[] {
  const peers = [
    ...new Set(report.workloads.flatMap((workload) => workload.ratios.map((ratio) => ratio.peer))),
  ];
  const rows: string[][] = [];
  for (const workload of report.workloads) {
    const definition = workloadById(workload.workload);
    const pgq = workload.systems.find((system) => system.system === 'pgq');
    for (const metric of definition.metrics.filter((candidate) => candidate.headline)) {
      rows.push([
        `${definition.id} ${definition.title}`,
        `${metric.label}, ${metric.better} is better`,
        metricCell(pgq, metric),
        ...peers.map((peer) =>
          workload.systems.some((system) => system.system === peer)
            ? ratioCell(workload, peer, metric)
            : '',
        ),
      ]);
    }
  }
  return table(['workload', 'metric', 'pgq', ...peers.map((peer) => `÷ ${labelOf(peer)}`)], rows);
}

function workloadSection(workload: WorkloadSummary): string[] {
  const definition = workloadById(workload.workload);
  const headlines = definition.metrics.filter((metric) => metric.headline);
  const hasRatios = workload.ratios.length > 0;
  const header = [
    'system',
    ...definition.metrics.map((metric) => metric.label),
    ...(hasRatios
      ? headlines.map((metric) =>
          headlines.length > 1 ? `pgq ÷ system (${metric.label})` : 'pgq ÷ system',
        )
      : []),
  ];
  const rows = workload.systems.map((summary) => [
    labelOf(summary.system),
    ...definition.metrics.map((metric) => metricCell(summary, metric)),
    ...(hasRatios
      ? headlines.map((metric) =>
          summary.system === 'pgq' ? '—' : ratioCell(workload, summary.system, metric),
        )
      : []),
  ]);
  return [
    `### ${definition.id} ${definition.title}: ${workload.description}`,
    '',
    ...table(header, rows),
    '',
  ];
}

function noteLines(report: BenchReport): string[] {
  const lines: string[] = [];
  for (const workload of report.workloads) {
    for (const summary of workload.systems) {
      const who = `${workload.workload} ${labelOf(summary.system)}`;
      if (summary.status === 'skipped') lines.push(`- ${who}: skipped (Redis did not answer).`);
      for (const error of summary.errors) {
        const [first, ...rest] = error.split('\n');
        lines.push(`- ${who}: **failed**: ${first}`);
        if (rest.length > 0) lines.push('  ```', ...rest.map((line) => `  ${line}`), '  ```');
      }
      for (const note of summary.notes) lines.push(`- ${who}: ${note}`);
    }
  }
  const { redis } = report.environment;
  const redisRan = report.runs.some(
    (run) => run.status === 'ok' && systemByName(run.system).store === 'redis',
  );
  if (redisRan && redis.available && redis.settings.appendonly === 'no') {
    lines.push(
      '- Redis ran with `appendonly no`: a BullMQ completion or a Redis SET is held in memory, not written to disk, while every PostgreSQL system here commits with fsync.',
    );
  }
  return lines;
}

/**
 * The Markdown report: environment, summary of ratios, one table per workload, settings.
 *
 * @example
 * ```ts
 * console.log(markdownReport(report));
 * ```
 */
export function markdownReport(report: BenchReport): string {
  const plural = report.repetitions === 1 ? 'repetition' : 'repetitions';
  const lines = [
    `# pgq vs its peers (${report.mode} run)`,
    '',
    `${report.startedAt.replace('T', ' ').slice(0, 16)} UTC · ${report.repetitions} ${plural} · \`${report.command}\``,
    '',
    ...environmentLines(report.environment),
    '',
    '## Summary: pgq ÷ peer',
    '',
    `Median ratio over the repetitions (min–max when more than one), each computed within one repetition. For a /s metric above 1× means pgq is ahead; for a latency (ms) below 1× means pgq is ahead. The pgq column is pgq's own median.`,
    '',
    ...summaryTable(report),
    '',
    '## Results',
    '',
    'Median (min–max) per system; ⚠ marks a system that failed in some repetitions.',
    '',
    ...report.workloads.flatMap(workloadSection),
    '## Settings',
    '',
    ...report.systems.map(
      (system) =>
        `- **${system.label}** (${system.packageName} ${system.version}): ${system.settings}`,
    ),
  ];
  const notes = noteLines(report);
  if (notes.length > 0) lines.push('', '## Notes', '', ...notes);
  return `${lines.join('\n')}\n`;
}
