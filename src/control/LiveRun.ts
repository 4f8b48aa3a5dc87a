import type { Checkpoint, ConfigSummary, SourcePositions } from '../checkpoint/Checkpoint.js';
import type { CheckpointStore } from '../checkpoint/CheckpointStore.js';
import type { Config } from '../config.js';
import type { TrainingParts } from '../training/TrainingParts.js';

/**
 * What the control API acts on once a run's source is open: its parts, its checkpoints and where
 * the source stands. Built by `train`, handed to {@link ControlPlane.attach}.
 *
 * @example
 * control.attach({ config, parts, summary, store, checkpointNow, positions: () => source.positionsThrough(last) });
 */
export interface LiveRun {
  readonly config: Config;
  readonly parts: TrainingParts;
  /** The model's configuration summary: a rollback refuses a checkpoint that does not fit it. */
  readonly summary: ConfigSummary;
  /** The checkpoint directory (rollback reads it); undefined without `checkpoint.dir`. */
  readonly store?: Pick<CheckpointStore, 'list' | 'dir'>;
  /** Takes a checkpoint of the state now, covering the records done so far; resolves true when durable. */
  readonly checkpointNow?: () => Promise<boolean>;
  /** The source positions the records processed so far reach (undefined before the first block). */
  readonly positions: () => SourcePositions | undefined;
}

/** A checkpoint a rollback goes back to, read before it is queued (the pipeline's turn does no I/O). */
export interface RollbackTarget {
  readonly checkpoint: Checkpoint;
  readonly path: string;
}
