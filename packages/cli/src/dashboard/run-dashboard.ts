import { render } from 'ink';
import { createElement } from 'react';
import type { CliIo } from '../cli-io.js';
import { DashboardView } from './dashboard-view.js';
import type { DashboardSnapshot } from './read-dashboard-snapshot.js';

/** Options of `runDashboard`. */
export interface RunDashboardOptions {
  io: CliIo;
  load: () => Promise<DashboardSnapshot>;
  initial: DashboardSnapshot;
  intervalMs: number;
  address: string;
}

/**
 * Shows the live dashboard on the terminal until `q`, Esc or Ctrl-C, then restores the
 * terminal (raw mode off, cursor back) and resolves. Loaded on demand by
 * `pgq dashboard`, so the other commands never load ink and React.
 *
 * @example
 * ```ts
 * await runDashboard({ io, load: () => readDashboardSnapshot(pgq), initial, intervalMs: 1000, address });
 * ```
 */
export async function runDashboard(options: RunDashboardOptions): Promise<void> {
  const instance = render(
    createElement(DashboardView, {
      load: options.load,
      initial: options.initial,
      intervalMs: options.intervalMs,
      address: options.address,
    }),
    {
      stdout: options.io.stdout as NodeJS.WriteStream,
      stderr: options.io.stderr as NodeJS.WriteStream,
      stdin: options.io.stdin as NodeJS.ReadStream,
      exitOnCtrlC: true,
      patchConsole: false,
    },
  );
  // SIGTERM (and a SIGINT that does not come through the terminal) also end it cleanly.
  const exited = new AbortController();
  void options.io.untilInterrupted(exited.signal).then((signal) => {
    if (signal) instance.unmount();
  });
  try {
    await instance.waitUntilExit();
  } finally {
    exited.abort();
  }
}
