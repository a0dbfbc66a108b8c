import type { RunRecord, WorkloadSummary } from '../aggregate.js';
import type { Environment } from '../environment.js';
import type { SystemName } from '../systems.js';

/** Everything one bench run produced: what the JSON file holds and the reports read. */
export interface BenchReport {
  /** ISO time the run started. */
  startedAt: string;
  mode: 'quick' | 'full';
  repetitions: number;
  command: string;
  environment: Environment;
  systems: Array<{
    name: SystemName;
    label: string;
    packageName: string;
    version: string;
    settings: string;
  }>;
  workloads: WorkloadSummary[];
  runs: RunRecord[];
}
