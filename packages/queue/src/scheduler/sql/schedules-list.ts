import type { Pgq } from '@pgq/core';
import { type ScheduleRow, scheduleColumns } from './schedule-row.js';

/** Every schedule, by name; or the one named `name` (an empty list when there is none). */
export async function schedulesList(pgq: Pgq, name?: string): Promise<ScheduleRow[]> {
  return pgq.query<ScheduleRow>(
    `select ${scheduleColumns} from ${pgq.table('schedules')}
      where $1::text is null or name = $1
      order by name`,
    [name ?? null],
  );
}
