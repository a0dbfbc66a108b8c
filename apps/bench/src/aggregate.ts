import { type Spread, spreadOf } from './statistics.js';
import { type SystemName, systems } from './systems.js';
import { type WorkloadDefinition, type WorkloadId, workloadById } from './workloads.js';

/** One child process: one workload, one system, one repetition. */
export interface RunRecord {
  workload: WorkloadId;
  system: SystemName;
  /** 1-based. */
  repetition: number;
  /** 1-based place in this repetition's (rotated) order. */
  position: number;
  status: 'ok' | 'failed' | 'skipped';
  metrics?: Record<string, number>;
  notes?: string[];
  error?: string;
  elapsedMs: number;
}

/** One system's results on one workload, over the repetitions. */
export interface SystemSummary {
  system: SystemName;
  /** `partial`: some repetitions failed; the spreads cover the ones that ran. */
  status: 'ok' | 'partial' | 'failed' | 'skipped';
  metrics: Record<string, Spread>;
  errors: string[];
  notes: string[];
}

/** pgq ÷ one peer, per metric: one ratio per repetition in which both ran. */
export interface RatioSummary {
  peer: SystemName;
  metrics: Record<string, Spread>;
}

/** A workload's results. */
export interface WorkloadSummary {
  workload: WorkloadId;
  description: string;
  systems: SystemSummary[];
  ratios: RatioSummary[];
}

function summarizeSystem(
  definition: WorkloadDefinition,
  system: SystemName,
  runs: RunRecord[],
): SystemSummary {
  const ok = runs.filter((run) => run.status === 'ok');
  const failed = runs.filter((run) => run.status === 'failed');
  const status =
    ok.length === runs.length
      ? 'ok'
      : ok.length > 0
        ? 'partial'
        : failed.length > 0
          ? 'failed'
          : 'skipped';
  const metrics: Record<string, Spread> = {};
  for (const metric of definition.metrics) {
    const values = ok
      .map((run) => run.metrics?.[metric.key])
      .filter((value): value is number => value !== undefined && Number.isFinite(value));
    if (values.length > 0) metrics[metric.key] = spreadOf(values);
  }
  return {
    system,
    status,
    metrics,
    errors: [...new Set(runs.flatMap((run) => (run.error ? [run.error] : [])))],
    notes: [...new Set(ok.flatMap((run) => run.notes ?? []))],
  };
}

function summarizeRatios(
  definition: WorkloadDefinition,
  peer: SystemName,
  runs: RunRecord[],
): RatioSummary {
  const metrics: Record<string, Spread> = {};
  for (const metric of definition.metrics) {
    const ratios: number[] = [];
    for (const own of runs) {
      if (own.system !== 'pgq' || own.status !== 'ok') continue;
      const other = runs.find(
        (run) => run.system === peer && run.repetition === own.repetition && run.status === 'ok',
      );
      const mine = own.metrics?.[metric.key];
      const theirs = other?.metrics?.[metric.key];
      if (mine !== undefined && theirs !== undefined && theirs > 0) ratios.push(mine / theirs);
    }
    if (ratios.length > 0) metrics[metric.key] = spreadOf(ratios);
  }
  return { peer, metrics };
}

/**
 * Medians with min–max per system and metric, and pgq ÷ peer ratios computed within each
 * repetition (so a slow moment of the machine hits both sides of a ratio alike).
 *
 * @example
 * ```ts
 * const summaries = aggregate(runs, ['W1'], (workload) => describe(workload));
 * ```
 */
export function aggregate(
  runs: readonly RunRecord[],
  workloadIds: readonly WorkloadId[],
  describe: (definition: WorkloadDefinition) => string,
): WorkloadSummary[] {
  return workloadIds.flatMap((id) => {
    const definition = workloadById(id);
    const mine = runs.filter((run) => run.workload === id);
    const names = systems
      .map((system) => system.name)
      .filter((name) => mine.some((run) => run.system === name));
    if (mine.length === 0) return [];
    return {
      workload: id,
      description: describe(definition),
      systems: names.map((name) =>
        summarizeSystem(
          definition,
          name,
          mine.filter((run) => run.system === name),
        ),
      ),
      ratios: names
        .filter((name) => name !== 'pgq' && names.includes('pgq'))
        .map((name) => summarizeRatios(definition, name, mine)),
    };
  }) satisfies WorkloadSummary[];
}
