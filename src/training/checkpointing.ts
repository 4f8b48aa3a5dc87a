import { join } from 'node:path';
import type { ConfigSummary } from '../checkpoint/Checkpoint.js';
import { Checkpointer } from '../checkpoint/Checkpointer.js';
import { CheckpointStore, type LoadedCheckpoint } from '../checkpoint/CheckpointStore.js';
import { restoreCheckpoint, takeCheckpoint } from '../checkpoint/trainingCheckpoint.js';
import type { Config } from '../config.js';
import { CheckpointError } from '../errors.js';
import type { OpenedSource } from '../sources/openSource.js';
import { syncMemberId } from '../sync/memberId.js';
import type { Logger } from '../telemetry/logger.js';
import type { Telemetry } from '../telemetry/registry.js';
import type { Schema } from '../types.js';
import type { CommitGate } from './CommitGate.js';
import { standardizeSettings } from '../export/standardizeSettings.js';
import type { DeadLetterSink } from './openDeadLetter.js';
import type { PredictionsSink } from './openPredictions.js';
import { modelSchema, type TrainingParts } from './TrainingParts.js';

/** The checkpoint directory of a run and what was found in it at start. */
export interface Checkpoints {
  readonly store: CheckpointStore;
  readonly loaded: LoadedCheckpoint | undefined;
}

/**
 * Opens `checkpoint.dir` (when configured; with `sync`, its subdirectory named after the member) and loads its newest good checkpoint, logging the
 * newer ones it had to skip as unreadable.
 *
 * @example
 * const checkpoints = await openCheckpoints(config, log); // undefined without --checkpoint-dir
 */
export async function openCheckpoints(config: Config, log: Pick<Logger, 'warn'>): Promise<Checkpoints | undefined> {
  if (!config.checkpoint.dir) return undefined;
  const member = syncMemberId(config); // a syncing group shares checkpoint.dir, one directory per member
  const dir = member === undefined ? config.checkpoint.dir : join(config.checkpoint.dir, member);
  const store = new CheckpointStore({ dir, keep: config.checkpoint.keep });
  const loaded = await store.loadLatest();
  for (const skipped of loaded?.skipped ?? []) {
    log.warn({ path: skipped.path, reason: skipped.reason }, `skipping unreadable checkpoint ${skipped.path}: ${skipped.reason}`);
  }
  return { store, loaded };
}

/**
 * Restores the parts from the loaded checkpoint (refusing one taken with another model or
 * schema) and starts checkpointing them: every `checkpoint.everyRecords` records or
 * `everySeconds`, with the source positions each one covers; a durable checkpoint lets `gate`
 * commit those positions. A first run checkpoints its starting point at once, so a crash before
 * the first periodic checkpoint still restarts from a known state (the dead letter, for one, is
 * cut back to it). Returns undefined without a checkpoint directory.
 *
 * @example
 * const checkpointer = await startCheckpointing({ config, schema, parts, checkpoints, deadLetter, source, gate, telemetry, log });
 * checkpointer?.maybe(counts.total, report.doneThrough);
 */
export async function startCheckpointing(options: {
  readonly config: Config;
  readonly schema: Schema;
  readonly parts: TrainingParts;
  readonly checkpoints: Checkpoints | undefined;
  readonly deadLetter: DeadLetterSink;
  /** The predictions file, cut back to the checkpoint like the dead letter (absent: no predictions file). */
  readonly predictions?: Pick<PredictionsSink, 'file'> | undefined;
  readonly source: Pick<OpenedSource, 'positionsThrough'>;
  readonly gate: CommitGate;
  readonly telemetry: Telemetry;
  readonly log: Logger;
}): Promise<Checkpointer | undefined> {
  const { config, schema, parts, checkpoints, deadLetter, predictions, source, gate, telemetry, log } = options;
  // The model's features, lagged columns included: a checkpoint taken with other lags does not fit.
  const summary: ConfigSummary = { ...modelSchema(schema, parts.lags), layers: config.model.layers };
  const checkpointParts = {
    // The champion at the time of each checkpoint (a getter: it changes as the members learn).
    get engine() {
      return parts.engine;
    },
    scaler: parts.scaler,
    evaluator: parts.evaluator,
    counts: parts.counts,
    controls: parts.controls,
    extra: {
      monitor: parts.monitor,
      tuner: parts.tuner,
      standardize: standardizeSettings(parts.scaler), // clip and floor, for streamtune export
      ...(parts.population.size > 1 ? { population: parts.population } : {}),
      ...(parts.lags.size > 0 ? { lags: parts.lags } : {}),
      ...(parts.labels ? { labels: parts.labels } : {}), // records waiting for their label
      ...(deadLetter.file ? { deadLetter: deadLetter.file } : {}),
      ...(predictions?.file ? { predictions: predictions.file } : {}),
    },
  };
  const loaded = checkpoints?.loaded;
  if (loaded) {
    restoreCheckpoint(checkpointParts, summary, loaded.checkpoint, loaded.path);
    const records = loaded.checkpoint.records.total;
    log.info({ path: loaded.path, records, positions: loaded.checkpoint.positions }, `resuming from ${loaded.path} (${records} records)`);
  }
  if (!checkpoints) return undefined;
  const checkpointer = new Checkpointer(
    checkpoints.store,
    { everyRecords: config.checkpoint.everyRecords, everySeconds: config.checkpoint.everySeconds },
    {
      take: (doneThrough) => takeCheckpoint(checkpointParts, summary, source.positionsThrough(doneThrough)),
      onDurable: (checkpoint, path) => {
        telemetry.recordCheckpoint(true);
        log.debug({ path, records: checkpoint.records.total }, 'checkpoint durable');
        gate.allow(checkpoint.positions);
      },
      onFailure: (error) => {
        telemetry.recordCheckpoint(false);
        log.error({ err: error }, `CHECKPOINT FAILED: ${(error as Error).message}; nothing past the last durable checkpoint is committed`);
      },
    },
    parts.counts.total,
  );
  telemetry.trackCheckpointAge(() => checkpointer.ageSeconds);
  if (!loaded && !(await checkpointer.final(0, -1))) {
    throw new CheckpointError(`cannot write the initial checkpoint to ${config.checkpoint.dir}; see the error above`);
  }
  return checkpointer;
}
