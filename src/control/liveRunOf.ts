import type { Checkpointer } from '../checkpoint/Checkpointer.js';
import type { Config } from '../config.js';
import type { OpenedSource } from '../sources/openSource.js';
import type { Checkpoints } from '../training/checkpointing.js';
import { modelSchema, type TrainingParts } from '../training/TrainingParts.js';
import type { Schema } from '../types.js';
import type { LiveRun } from './LiveRun.js';

/**
 * The {@link LiveRun} of a `train` session: its parts, checkpoint directory and checkpointer, and
 * the source positions up to `doneThrough()` (the last record index fully processed, -1 before any).
 *
 * @example
 * control.attach(liveRunOf({ config, schema, parts, checkpoints, checkpointer, source, doneThrough: () => last }));
 */
export function liveRunOf(options: {
  readonly config: Config;
  readonly schema: Schema;
  readonly parts: TrainingParts;
  readonly checkpoints: Checkpoints | undefined;
  readonly checkpointer: Pick<Checkpointer, 'final'> | undefined;
  readonly source: Pick<OpenedSource, 'positionsThrough'>;
  readonly doneThrough: () => number;
}): LiveRun {
  const { config, schema, parts, checkpoints, checkpointer, source, doneThrough } = options;
  return {
    config,
    parts,
    summary: { ...modelSchema(schema, parts.lags), layers: config.model.layers },
    ...(checkpoints ? { store: checkpoints.store } : {}),
    ...(checkpointer ? { checkpointNow: () => checkpointer.final(parts.counts.total, doneThrough()) } : {}),
    positions: () => (doneThrough() >= 0 ? source.positionsThrough(doneThrough()) : undefined),
  };
}
