const units: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const durationPattern = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/;

/**
 * Parses a duration such as `1500ms`, `30s`, `5m`, `2h` or `1d` into milliseconds. A bare
 * number counts in `defaultUnit` (seconds unless told), so `--ttl 300` means five minutes.
 * Throws a `RangeError` that says what is accepted.
 *
 * @example
 * ```ts
 * parseDuration('30s'); // 30000
 * parseDuration('1500ms'); // 1500
 * parseDuration('300'); // 300000
 * ```
 */
export function parseDuration(text: string, defaultUnit: keyof typeof units = 's'): number {
  const match = durationPattern.exec(text.trim());
  if (!match) {
    throw new RangeError(
      `Invalid duration "${text}": use a number with a unit, like 1500ms, 30s, 5m, 2h or 1d`,
    );
  }
  const milliseconds = Number(match[1]) * units[match[2] ?? defaultUnit]!;
  if (!Number.isSafeInteger(Math.round(milliseconds))) {
    throw new RangeError(`Invalid duration "${text}": too long`);
  }
  return Math.round(milliseconds);
}
