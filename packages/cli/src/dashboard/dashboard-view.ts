import { WakeLoop } from '@pgq/core/internal';
import { Box, Text, useApp, useInput } from 'ink';
import { createElement, type ReactElement, useEffect, useState } from 'react';
import { terminalText } from '../terminal-text.js';
import { formatDashboard } from './format-dashboard.js';
import type { DashboardSnapshot } from './read-dashboard-snapshot.js';

/** Props of `DashboardView`. */
export interface DashboardViewProps {
  /** Reads a fresh snapshot; called every `intervalMs`, never two at once. */
  load: () => Promise<DashboardSnapshot>;
  /** The snapshot to show before the first refresh. */
  initial: DashboardSnapshot;
  intervalMs: number;
  /** Where the data comes from, for the title: `127.0.0.1:5432`. */
  address: string;
}

/**
 * The live terminal view (ink): a title, the queue table, the live workers and a key hint.
 * Refreshes every `intervalMs`; a failed refresh is shown and retried, not fatal. `q` or
 * Esc quits (Ctrl-C too, through ink).
 *
 * @example
 * ```ts
 * render(createElement(DashboardView, { load, initial, intervalMs: 1000, address: '127.0.0.1:5432' }));
 * ```
 */
export function DashboardView(props: DashboardViewProps): ReactElement {
  const { exit } = useApp();
  const [snapshot, setSnapshot] = useState(props.initial);
  const [failure, setFailure] = useState<string | undefined>();

  useInput((input, key) => {
    if (input === 'q' || input === 'Q' || key.escape) exit();
  });

  useEffect(() => {
    // A turn at a time, the next one intervalMs after the last ended, so a slow query never
    // overlaps the next.
    const loop = new WakeLoop({
      turn: async () => {
        const next = await props.load();
        if (!loop.active) return;
        setSnapshot(next);
        setFailure(undefined);
      },
      intervalMs: props.intervalMs,
      // A failed refresh is shown and retried at the next interval, not sooner.
      errorDelayMs: props.intervalMs,
      onError: (error) => {
        if (!loop.active) return;
        const message = error instanceof Error ? error.message : String(error);
        setFailure(terminalText(message, { oneLine: true }));
      },
    });
    loop.start(props.intervalMs);
    return () => {
      void loop.stop();
    };
  }, [props.load, props.intervalMs]);

  const text = formatDashboard(snapshot);
  const time = snapshot.takenAt.toISOString().slice(11, 19);
  return createElement(
    Box,
    { flexDirection: 'column' },
    createElement(
      Text,
      null,
      createElement(Text, { bold: true }, 'pgq dashboard'),
      `  schema ${snapshot.schema} at ${props.address}  ${time} UTC`,
    ),
    createElement(Text, null, ' '),
    text.header ? createElement(Text, { bold: true }, text.header) : null,
    ...text.rows.map((row, index) => createElement(Text, { key: `queue-${index}` }, row)),
    createElement(Text, null, ' '),
    ...text.workers.map((line, index) => createElement(Text, { key: `worker-${index}` }, line)),
    createElement(Text, null, ' '),
    failure ? createElement(Text, { color: 'red' }, `Refresh failed: ${failure} (retrying)`) : null,
    createElement(
      Text,
      { dimColor: true },
      `q quit · refreshes every ${props.intervalMs / 1000}s · DONE/S completed per second and DIED/1M died, over the last minute`,
    ),
  );
}
