import { formatDuration } from '../format-duration.js';
import { formatTable } from '../format-table.js';
import { terminalText } from '../terminal-text.js';
import type { DashboardSnapshot } from './read-dashboard-snapshot.js';

/** The dashboard's text, in parts the terminal view styles separately. */
export interface DashboardText {
  /** The queue table's header line. */
  header: string;
  /** One line per queue (or a hint when there are none). */
  rows: string[];
  /** A line about workers, then one per live worker. */
  workers: string[];
}

/**
 * Lays a snapshot out as text: the terminal view renders it, and `pgq dashboard --once`
 * prints it.
 *
 * @example
 * ```ts
 * const { header, rows } = formatDashboard(await readDashboardSnapshot(pgq));
 * ```
 */
export function formatDashboard(snapshot: DashboardSnapshot): DashboardText {
  const table =
    snapshot.queues.length === 0
      ? []
      : formatTable(snapshot.queues, [
          { header: 'QUEUE', value: (queue) => queue.name },
          { header: 'PENDING', value: (queue) => queue.pending },
          { header: 'SCHEDULED', value: (queue) => queue.scheduled },
          { header: 'ACTIVE', value: (queue) => queue.active },
          { header: 'RETRYING', value: (queue) => queue.retrying },
          { header: 'DEAD', value: (queue) => queue.dead },
          {
            header: 'DONE/S',
            value: (queue) => queue.throughputPerSecond.toFixed(2),
            align: 'right',
          },
          { header: 'DIED/1M', value: (queue) => queue.deadLastMinute },
          {
            header: 'OLDEST',
            value: (queue) =>
              queue.oldestPendingMs === null ? '-' : formatDuration(queue.oldestPendingMs),
            align: 'right',
          },
          { header: 'WORKERS', value: (queue) => queue.liveWorkers },
        ]).split('\n');
  const stale = snapshot.staleWorkers > 0 ? ` (${snapshot.staleWorkers} stale)` : '';
  return {
    header: table[0] ?? '',
    rows:
      table.length > 0
        ? table.slice(1)
        : ['No queues yet: create one with `pgq queue create <name>`'],
    workers: [
      `Workers: ${snapshot.workers.length} live${stale}`,
      // Any worker login may register any host name: escaped, like every table cell.
      ...snapshot.workers.map((worker) =>
        terminalText(
          `  ${worker.hostname} pid ${worker.pid}  ${worker.queues.join(',')}  seen ${formatDuration(worker.lastSeenMs)} ago`,
          { oneLine: true },
        ),
      ),
    ],
  };
}
