import { terminalText } from './terminal-text.js';

/** One column of `formatTable`: its header and how to read a cell from a row. */
export interface TableColumn<Row> {
  header: string;
  value: (row: Row) => string | number | boolean | null | undefined;
  /** Numbers read best right-aligned. Default: right when every value is a number. */
  align?: 'left' | 'right';
}

/**
 * Lays rows out as a plain-text table for people (`--json` is for machines): a header,
 * then one line per row, columns padded to their widest cell. Empty cells print as `-`;
 * control characters and line breaks in a cell print escaped (`\x1b`, `\n`).
 *
 * @example
 * ```ts
 * formatTable([{ name: 'emails', pending: 3 }], [
 *   { header: 'QUEUE', value: (row) => row.name },
 *   { header: 'PENDING', value: (row) => row.pending },
 * ]);
 * // QUEUE   PENDING
 * // emails        3
 * ```
 */
export function formatTable<Row>(
  rows: readonly Row[],
  columns: readonly TableColumn<Row>[],
): string {
  const cells = rows.map((row) => columns.map((column) => column.value(row)));
  const alignments = columns.map(
    (column, index) =>
      column.align ??
      (cells.length > 0 && cells.every((line) => typeof line[index] === 'number')
        ? 'right'
        : 'left'),
  );
  const text = [
    columns.map((column) => column.header),
    ...cells.map((line) =>
      line.map((cell) =>
        cell === null || cell === undefined || cell === ''
          ? '-'
          : terminalText(String(cell), { oneLine: true }),
      ),
    ),
  ];
  const widths = columns.map((_, index) => Math.max(...text.map((line) => line[index]!.length)));
  return text
    .map((line) =>
      line
        .map((cell, index) =>
          alignments[index] === 'right'
            ? cell.padStart(widths[index]!)
            : cell.padEnd(widths[index]!),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
