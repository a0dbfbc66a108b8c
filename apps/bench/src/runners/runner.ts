import type { WorkloadSize } from '../workloads.js';

/** What a workload runner reports: its metrics and anything worth a footnote. */
export interface RunnerResult {
  metrics: Record<string, number>;
  notes: string[];
}

/** What every runner gets besides its driver. */
export interface RunnerContext {
  size: WorkloadSize;
  /** CHECKPOINT the database; called right before each timed phase. */
  beforeTimedPhase(): Promise<void>;
}
