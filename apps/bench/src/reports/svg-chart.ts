import type { Spread } from '../statistics.js';
import { systemByName } from '../systems.js';
import { type MetricDefinition, workloadById } from '../workloads.js';
import { formatRatio, pgqAhead } from './format.js';
import type { BenchReport } from './report.js';

interface ChartRow {
  label: string;
  metric: MetricDefinition;
  spread: Spread | undefined;
  status: string | undefined;
  group: number;
}

const width = 960;
const labelWidth = 300;
const plotWidth = 540;
const rowHeight = 24;
const groupGap = 12;
const top = 78;
const colors = {
  ahead: '#2e7d32',
  behind: '#c62828',
  grid: '#d0d0d0',
  text: '#222',
  muted: '#777',
};

function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

function rowsOf(report: BenchReport): ChartRow[] {
  const rows: ChartRow[] = [];
  report.workloads.forEach((workload, group) => {
    const definition = workloadById(workload.workload);
    for (const metric of definition.metrics.filter((candidate) => candidate.headline)) {
      for (const summary of workload.systems) {
        if (summary.system === 'pgq') continue;
        const pgq = workload.systems.find((system) => system.system === 'pgq');
        const blocked = [pgq, summary].find(
          (side) => side && (side.status === 'failed' || side.status === 'skipped'),
        );
        rows.push({
          label: `${definition.id} ${definition.title}, ${metric.label} vs ${systemByName(summary.system).label}`,
          metric,
          spread: workload.ratios.find((ratio) => ratio.peer === summary.system)?.metrics[
            metric.key
          ],
          status: blocked
            ? `${blocked === pgq ? 'pgq' : systemByName(summary.system).label} ${blocked.status}`
            : undefined,
          group,
        });
      }
    }
  });
  return rows;
}

/**
 * A chart of the ratios pgq ÷ peer as plain SVG text: one bar per workload metric and peer,
 * from 1× on a log scale, green where pgq is ahead and red where the peer is, with the
 * min–max of the repetitions as a whisker.
 *
 * @example
 * ```ts
 * await writeFile('results/full.svg', svgChart(report));
 * ```
 */
export function svgChart(report: BenchReport): string {
  const rows = rowsOf(report);
  const values = rows.flatMap((row) =>
    row.spread ? [row.spread.min, row.spread.median, row.spread.max] : [],
  );
  // Symmetric log2 extent around 1×, at least 0.5×–2×, at most 1/64×–64×.
  const extent = Math.min(
    6,
    Math.max(1, Math.ceil(Math.max(0, ...values.map((value) => Math.abs(Math.log2(value)))))),
  );
  const plotLeft = labelWidth;
  const center = plotLeft + plotWidth / 2;
  const x = (ratio: number) => {
    const log = Math.max(-extent, Math.min(extent, Math.log2(ratio)));
    return center + (log / extent) * (plotWidth / 2);
  };
  let y = top;
  let lastGroup = -1;
  const rowY: number[] = [];
  for (const row of rows) {
    if (lastGroup !== -1 && row.group !== lastGroup) y += groupGap;
    lastGroup = row.group;
    rowY.push(y);
    y += rowHeight;
  }
  const plotBottom = y + 4;
  const height = plotBottom + 56;
  const parts: string[] = [];
  const text = (textX: number, textY: number, content: string, attributes = '') =>
    `<text x="${textX.toFixed(1)}" y="${textY.toFixed(1)}" ${attributes}>${escapeXml(content)}</text>`;

  parts.push(
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    text(
      16,
      28,
      `pgq ÷ peer, ${report.mode} run, ${report.startedAt.slice(0, 10)}`,
      'font-size="18" font-weight="bold"',
    ),
    text(
      16,
      50,
      `Median of ${report.repetitions} repetition${report.repetitions === 1 ? '' : 's'} (whisker: min–max), log scale. Green: pgq ahead (a /s ratio above 1×, a latency ratio below 1×). Red: the peer is ahead.`,
      `font-size="12" fill="${colors.muted}"`,
    ),
  );
  for (let power = -extent; power <= extent; power++) {
    const tickX = x(2 ** power);
    parts.push(
      `<line x1="${tickX.toFixed(1)}" y1="${top - 6}" x2="${tickX.toFixed(1)}" y2="${plotBottom}" stroke="${power === 0 ? '#555' : colors.grid}" stroke-width="${power === 0 ? 1.5 : 1}"/>`,
      text(
        tickX,
        plotBottom + 16,
        power >= 0 ? `${2 ** power}×` : `1/${2 ** -power}×`,
        `font-size="11" text-anchor="middle" fill="${colors.muted}"`,
      ),
    );
  }
  rows.forEach((row, index) => {
    const rowTop = rowY[index]!;
    const middle = rowTop + rowHeight / 2;
    parts.push(text(16, middle + 4, row.label, `font-size="12" fill="${colors.text}"`));
    if (row.status || !row.spread) {
      parts.push(
        text(
          center + 8,
          middle + 4,
          row.status ?? 'no result',
          `font-size="12" fill="${colors.muted}" font-style="italic"`,
        ),
      );
      return;
    }
    const { median, min, max, count } = row.spread;
    const color = pgqAhead(median, row.metric) ? colors.ahead : colors.behind;
    const barStart = Math.min(center, x(median));
    const barWidth = Math.max(1, Math.abs(x(median) - center));
    parts.push(
      `<rect x="${barStart.toFixed(1)}" y="${(rowTop + 5).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${rowHeight - 10}" fill="${color}" opacity="0.85"/>`,
    );
    if (count > 1 && max > min) {
      parts.push(
        `<line x1="${x(min).toFixed(1)}" y1="${middle}" x2="${x(max).toFixed(1)}" y2="${middle}" stroke="#000" stroke-width="1"/>`,
        `<line x1="${x(min).toFixed(1)}" y1="${middle - 4}" x2="${x(min).toFixed(1)}" y2="${middle + 4}" stroke="#000"/>`,
        `<line x1="${x(max).toFixed(1)}" y1="${middle - 4}" x2="${x(max).toFixed(1)}" y2="${middle + 4}" stroke="#000"/>`,
      );
    }
    parts.push(
      text(
        plotLeft + plotWidth + 14,
        middle + 4,
        formatRatio(median),
        `font-size="12" font-weight="bold" fill="${color}"`,
      ),
    );
  });
  const legendY = plotBottom + 40;
  parts.push(
    `<rect x="16" y="${legendY - 10}" width="12" height="12" fill="${colors.ahead}"/>`,
    text(34, legendY, 'pgq ahead', 'font-size="12"'),
    `<rect x="120" y="${legendY - 10}" width="12" height="12" fill="${colors.behind}"/>`,
    text(138, legendY, 'peer ahead', 'font-size="12"'),
    text(
      240,
      legendY,
      `${report.environment.machine.cores} cores · PostgreSQL ${report.environment.postgres.version} · Node ${report.environment.machine.node}`,
      `font-size="12" fill="${colors.muted}"`,
    ),
  );
  const title = `pgq ÷ peer ratios, ${report.mode} run of ${report.startedAt.slice(0, 10)}`;
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeXml(title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">\n<title>${escapeXml(title)}</title>\n${parts.join('\n')}\n</svg>\n`;
}
