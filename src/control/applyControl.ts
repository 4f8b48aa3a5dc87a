import { compareConfig } from '../checkpoint/Checkpoint.js';
import type { EngineSnapshot } from '../model/Engine.js';
import type { StandardizerSnapshot } from '../stats/Standardizer.js';
import { Standardizer } from '../stats/Standardizer.js';
import type { PopulationSnapshot } from '../tune/Population.js';
import type { TunerSnapshot } from '../tune/Tuner.js';
import { tuningEvent, type TuningEvent } from '../tune/TuningEvent.js';
import type { TUNING_SERIES } from '../tune/tuningSeries.js';
import { ControlError } from '../errors.js';
import type { ControlRequest } from './ControlRequest.js';
import type { LiveRun, RollbackTarget } from './LiveRun.js';
import { weightsDigest } from './weightsDigest.js';

/** A parameter an operator's action reports (the `operator` pairs of {@link TUNING_SERIES}). */
type OperatorParam = Extract<(typeof TUNING_SERIES)[number], { readonly reason: 'operator' }>['param'];

/** A validated request with what was prepared for it off the pipeline's turn (a rollback's checkpoint). */
export interface ControlTask {
  readonly request: ControlRequest;
  readonly rollback?: RollbackTarget;
}

/** What an action did: its tuning events (reason `operator`) and a JSON detail for the response. */
export interface ControlOutcome {
  readonly action: ControlRequest['action'];
  /** False when the action changed nothing (pausing a paused run, a `set` to the values in force). */
  readonly changed: boolean;
  readonly events: readonly TuningEvent[];
  readonly detail: Readonly<Record<string, unknown>>;
  /** `checkpoint-now`: resolves true once the checkpoint is durable. */
  readonly durable?: Promise<boolean>;
}

/**
 * Carries out one control action on the live run, on the pipeline's turn (between two blocks):
 * pause or resume learning, set the learning rate or L2, roll the model, scaler, tuner and
 * hyperparameters back to a checkpoint (counts, evaluation windows and drift detectors go on, as
 * the source does not rewind), reset the scaler's statistics, or take a checkpoint now. Returns
 * the tuning events (reason `operator`, who and what in their signals).
 *
 * @example
 * control.queue.drain((task) => applyControl(task, run, new Date().toISOString()));
 */
export function applyControl(task: ControlTask, run: LiveRun, time: string): ControlOutcome {
  const { request } = task;
  const { parts } = run;
  const stamp = { records: parts.counts.total, batches: parts.counts.batches };
  const event = (param: OperatorParam, old: number | null, now: number | null, signals: Record<string, number | string> = {}): TuningEvent =>
    tuningEvent(stamp, time, { reason: 'operator', param, old, new: now, signals: { who: request.who, action: request.action, ...signals } });

  switch (request.action) {
    case 'pause-learning':
    case 'resume-learning': {
      const paused = request.action === 'pause-learning';
      const changed = parts.controls.setPaused(paused);
      return { action: request.action, changed, events: changed ? [event('learning', paused ? 1 : 0, paused ? 0 : 1)] : [], detail: { paused } };
    }
    case 'set': {
      const old = parts.controls.hyperParams;
      const hp = { learningRate: request.learningRate ?? old.learningRate, l2: request.l2 ?? old.l2 };
      parts.controls.restore(hp);
      const events = (['learningRate', 'l2'] as const).filter((k) => hp[k] !== old[k]).map((k) => event(k, old[k], hp[k]));
      return { action: request.action, changed: events.length > 0, events, detail: { hyperParams: hp, previous: old } };
    }
    case 'rollback':
      return rollback(task.rollback, run, event);
    case 'reset-scaler': {
      parts.scaler.restore(new Standardizer(parts.scaler.settings).snapshot());
      return { action: request.action, changed: true, events: [event('standardizer', null, null)], detail: {} };
    }
    case 'checkpoint-now': {
      if (!run.checkpointNow) {
        throw new ControlError('checkpoint-now needs a checkpoint directory: start the trainer with --checkpoint-dir', { field: 'action' });
      }
      const durable = run.checkpointNow();
      return { action: request.action, changed: true, events: [event('checkpoint', null, parts.counts.total)], detail: { records: parts.counts.total }, durable };
    }
  }
}

function rollback(
  target: RollbackTarget | undefined,
  run: LiveRun,
  event: (param: OperatorParam, old: number | null, now: number | null, signals?: Record<string, number | string>) => TuningEvent,
): ControlOutcome {
  if (!target) throw new ControlError('rollback needs a checkpoint directory: start the trainer with --checkpoint-dir', { field: 'action' });
  const { checkpoint, path } = target;
  const difference = compareConfig(run.summary, checkpoint.configSummary);
  if (difference) throw new ControlError(`checkpoint ${path} does not fit this run: ${difference}`, { field: 'action' });
  const { parts } = run;
  const state = checkpoint.state as unknown as Record<string, unknown>;
  const population = state.population as PopulationSnapshot | undefined;
  if (population !== undefined && parts.population.size > 1) parts.population.restore(population);
  else parts.engine.restore(state.trainer as EngineSnapshot);
  parts.scaler.restore(state.scaler as StandardizerSnapshot);
  if (state.tuner !== undefined) parts.tuner.restore(state.tuner as TunerSnapshot);
  const previous = parts.controls.hyperParams;
  parts.controls.restore(checkpoint.hyperParams);
  const weights = weightsDigest(parts.engine.getWeights());
  const signals = { checkpoint: path, checkpointRecords: checkpoint.records.total, checkpointTime: checkpoint.createdAt, weights };
  return {
    action: 'rollback',
    changed: true,
    events: [event('weights', null, null, signals)],
    detail: { ...signals, hyperParams: checkpoint.hyperParams, previous },
  };
}
