const lineWidth = 100;

function isPrimitive(value: unknown): boolean {
  return value === null || typeof value !== 'object';
}

function format(value: unknown, indent: string, prefixLength: number): string {
  if (isPrimitive(value)) return JSON.stringify(value) ?? 'null';
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    // A short list of plain values stays on one line, as the repo's formatter (Biome) writes it.
    if (value.every(isPrimitive)) {
      const inline = `[${value.map((item) => JSON.stringify(item) ?? 'null').join(', ')}]`;
      if (prefixLength + inline.length + 1 <= lineWidth) return inline;
    }
    const items = value.map((item) => `${inner}${format(item, inner, inner.length)}`);
    return `[\n${items.join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(
    ([, member]) => member !== undefined,
  );
  if (entries.length === 0) return '{}';
  const members = entries.map(([key, member]) => {
    const head = `${inner}${JSON.stringify(key)}: `;
    return `${head}${format(member, inner, head.length)}`;
  });
  return `{\n${members.join(',\n')}\n${indent}}`;
}

/**
 * JSON text with two-space indentation and short lists of plain values on one line, so the
 * results folder passes `biome check` as written.
 *
 * @example
 * ```ts
 * jsonReport({ loadAverage: [1.2, 0.8, 0.5] }); // '{\n  "loadAverage": [1.2, 0.8, 0.5]\n}\n'
 * ```
 */
export function jsonReport(value: unknown): string {
  return `${format(value, '', 0)}\n`;
}
