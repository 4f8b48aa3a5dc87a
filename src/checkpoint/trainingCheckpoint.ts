import type { BehaviorSubject } from 'rxjs';
import type { Evaluator, EvaluatorSnapshot } from '../eval/Evaluator.js';
import { CheckpointError } from '../errors.js';
import type { Trainer, TrainerSnapshot } from '../model/Trainer.js';
import type { RecordCounts } from '../pipeline.js';
import type { Standardizer, StandardizerSnapshot } from '../stats/Standardizer.js';
import type { HyperParams } from '../types.js';
import { CHECKPOINT_FORMAT, compareConfig, configHash, type Checkpoint, type ConfigSummary, type SourcePositions } from './Checkpoint.js';

/** Everything stateful in a training run: what a checkpoint holds. */
export interface TrainingParts {
  readonly trainer: Trainer;
  readonly scaler: Standardizer;
  readonly evaluator: Evaluator;
  readonly counts: RecordCounts;
  readonly hyperParams: BehaviorSubject<HyperParams>;
  /** Optional stateful parts with the same snapshot/restore surface (tuner, detectors). */
  readonly extra?: Readonly<Record<string, { snapshot(): unknown; restore(json: never): void }>>;
}

/** Builds a checkpoint of the parts as they are now, covering the records up to `positions`. */
export function takeCheckpoint(parts: TrainingParts, summary: ConfigSummary, positions: SourcePositions): Checkpoint {
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
    hyperParams: parts.hyperParams.value,
    positions,
    state: {
      trainer: parts.trainer.snapshot(),
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
export function restoreCheckpoint(parts: TrainingParts, summary: ConfigSummary, checkpoint: Checkpoint, path: string): void {
  const difference = compareConfig(summary, checkpoint.configSummary);
  if (difference) {
    throw new CheckpointError(
      `checkpoint ${path} does not fit this configuration: ${difference}; use the configuration it was taken with, or another --checkpoint-dir`,
    );
  }
  const state = checkpoint.state as unknown as Record<string, unknown>;
  parts.trainer.restore(state.trainer as TrainerSnapshot);
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
  parts.hyperParams.next(checkpoint.hyperParams);
}
