/**
 * A duration for people: `850ms`, `12s`, `3m 12s`, `2h 5m`, `3d 4h`.
 *
 * @example
 * ```ts
 * formatDuration(192_000); // '3m 12s'
 * ```
 */
export function formatDuration(milliseconds: number): string {
  if (milliseconds < 1_000) return `${Math.max(0, Math.round(milliseconds))}ms`;
  const seconds = Math.floor(milliseconds / 1_000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return joinParts(minutes, 'm', seconds % 60, 's');
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return joinParts(hours, 'h', minutes % 60, 'm');
  return joinParts(Math.floor(hours / 24), 'd', hours % 24, 'h');
}

function joinParts(major: number, majorUnit: string, minor: number, minorUnit: string): string {
  return minor === 0 ? `${major}${majorUnit}` : `${major}${majorUnit} ${minor}${minorUnit}`;
}
