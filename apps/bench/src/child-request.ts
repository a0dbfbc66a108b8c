import type { SystemName } from './systems.js';
import type { WorkloadId, WorkloadSize } from './workloads.js';

/** What the parent asks one child process to run (passed as JSON in `BENCH_REQUEST`). */
export interface ChildRequest {
  workload: WorkloadId;
  system: SystemName;
  size: WorkloadSize;
  databaseUrl: string;
  redisUrl: string | undefined;
}

/** What the child sends back over IPC. */
export type ChildMessage =
  | { type: 'result'; metrics: Record<string, number>; notes: string[] }
  | { type: 'error'; message: string };

/** The environment variable that carries the request. */
export const requestVariable = 'BENCH_REQUEST';
