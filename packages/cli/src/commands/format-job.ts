import type { Job } from '@pgq/queue';
import { formatDuration } from '../format-duration.js';
import { terminalText } from '../terminal-text.js';

/**
 * The moment that matters for a job's state, relative to now: when a waiting job is due,
 * when an active one started, when a finished one finished.
 *
 * @example
 * ```ts
 * jobWhen(job); // 'due in 30s', 'running 4s', 'finished 2m ago'
 * ```
 */
export function jobWhen(job: Job, now = Date.now()): string {
  if (job.state === 'active' && job.startedAt)
    return `running ${formatDuration(now - job.startedAt.getTime())}`;
  if (job.state === 'pending' && job.runAt) {
    const wait = job.runAt.getTime() - now;
    return wait > 0 ? `due in ${formatDuration(wait)}` : `waiting ${formatDuration(-wait)}`;
  }
  if (job.finishedAt) return `${job.state} ${formatDuration(now - job.finishedAt.getTime())} ago`;
  return '';
}

/**
 * A job for people, one field per line; control characters and line breaks in a field print
 * escaped, so a job's error cannot fake another line or drive the terminal.
 *
 * @example
 * ```ts
 * context.print(job, formatJob);
 * ```
 */
export function formatJob(job: Job): string {
  const lines: Array<[string, unknown]> = [
    ['id', job.id],
    ['queue', job.queue],
    ['state', `${job.state}${jobWhen(job) ? ` (${jobWhen(job)})` : ''}`],
    ['attempts', `${job.attempts} of ${job.maxAttempts}`],
    ['priority', job.priority],
    ['unique key', job.uniqueKey],
    ['created', job.createdAt.toISOString()],
    ['run at', job.runAt?.toISOString()],
    ['started', job.startedAt?.toISOString()],
    ['finished', job.finishedAt?.toISOString()],
    ['duration', job.durationMs === null ? undefined : formatDuration(job.durationMs)],
    ['worker', job.workerId],
    ['payload', JSON.stringify(job.payload)],
    ['result', job.result === null ? undefined : JSON.stringify(job.result)],
    ['last error', job.lastError ? `${job.lastError.name}: ${job.lastError.message}` : undefined],
  ];
  const shown = lines.filter(([, value]) => value !== undefined && value !== null);
  const width = Math.max(...shown.map(([label]) => label.length));
  return shown
    .map(
      ([label, value]) =>
        `${label.padEnd(width)}  ${terminalText(String(value), { oneLine: true })}`,
    )
    .join('\n');
}
