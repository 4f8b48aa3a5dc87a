import type { Evaluator, EvaluatorSnapshot } from '../eval/Evaluator.js';
import { CheckpointError } from '../errors.js';
import type { Engine, EngineSnapshot } from '../model/Engine.js';
import type { RecordCounts } from '../records/RecordCounts.js';
import type { Standardizer, StandardizerSnapshot } from '../stats/Standardizer.js';
import type { Controls } from '../tune/Controls.js';
import { CHECKPOINT_FORMAT, compareConfig, configHash, type Checkpoint, type ConfigSummary, type SourcePositions } from './Checkpoint.js';

/** A part with the snapshot/restore surface every stateful part has. */
export interface Snapshottable {
  snapshot(): unknown;
  restore(json: never): void;
}

/** Everything stateful in a training run: what a checkpoint holds. */
export interface CheckpointParts {
  readonly engine: Pick<Engine, 'snapshot' | 'restore'>;
  readonly scaler: Pick<Standardizer, 'snapshot' | 'restore'>;
  readonly evaluator: Pick<Evaluator, 'get' | 'snapshot' | 'restore'>;
  readonly counts: RecordCounts;
  readonly controls: Pick<Controls, 'hyperParams' | 'restore'>;
  /** Further stateful parts, each stored under its name (tuner, monitor, dead letter). */
  readonly extra?: Readonly<Record<string, Snapshottable>>;
}

/** Builds a checkpoint of the parts as they are now, covering the records up to `positions`. */
export function takeCheckpoint(parts: CheckpointParts, summary: ConfigSummary, positions: SourcePositions): Checkpoint {
  const { counts, evaluator } = parts;
  const evaluation = evaluator.get();
  const extra = Object.fromEntries(Object.entries(parts.extra ?? {}).map(([k, v]) => [k, v.snapshot()]));
  return {
    format: CHECKPOINT_FORMAT,
    createdAt: new Date().toISOString(),
    configHash: configHash(summary),
    configSummary: summary,
    records: {
      total: counts.total,
      trained: counts.trained,
      holdout: counts.holdout,
      rejected: counts.rejected,
      rejectedByReason: { ...counts.rejectedByReason },
    },
    hyperParams: parts.controls.hyperParams,
    positions,
    state: {
      trainer: parts.engine.snapshot(),
      scaler: parts.scaler.snapshot(),
      evaluator: evaluator.snapshot(),
      ...extra,
    },
    summary: { prequential: evaluation.cumulative.train, holdout: evaluation.cumulative.holdout },
  };
}

/**
 * Restores the parts from a checkpoint taken with a compatible configuration; a checkpoint from
 * another task, feature list, label, class count or model shape is refused, naming the difference.
 */
export function restoreCheckpoint(parts: CheckpointParts, summary: ConfigSummary, checkpoint: Checkpoint, path: string): void {
  const difference = compareConfig(summary, checkpoint.configSummary);
  if (difference) {
    throw new CheckpointError(
      `checkpoint ${path} does not fit this configuration: ${difference}; use the configuration it was taken with, or another --checkpoint-dir`,
    );
  }
  const state = checkpoint.state as unknown as Record<string, unknown>;
  parts.engine.restore(state.trainer as EngineSnapshot);
  parts.scaler.restore(state.scaler as StandardizerSnapshot);
  parts.evaluator.restore(state.evaluator as EvaluatorSnapshot);
  for (const [name, part] of Object.entries(parts.extra ?? {})) {
    if (state[name] !== undefined) part.restore(state[name] as never);
  }
  Object.assign(parts.counts, {
    total: checkpoint.records.total,
    trained: checkpoint.records.trained,
    holdout: checkpoint.records.holdout,
    rejected: checkpoint.records.rejected,
    rejectedByReason: { ...checkpoint.records.rejectedByReason },
  });
  parts.controls.restore(checkpoint.hyperParams);
}
