import type { TuningAction } from './TuningAction.js';
import type { TuningSignals } from './TuningSignals.js';
import type { TUNING_SERIES } from './tuningSeries.js';

/** One declared (param, reason) pair of {@link TUNING_SERIES}. */
type TuningSeries = (typeof TUNING_SERIES)[number];

/** Why the tuner acted (derived from {@link TUNING_SERIES}). */
export type TuningReason = TuningSeries['reason'];

/** What the tuner changed: a hyperparameter, or the target of an action (derived from {@link TUNING_SERIES}). */
export type TunedParam = TuningSeries['param'];

/**
 * One decision of the tuner, for logs, telemetry and the run summary: plain JSON.
 *
 * @example
 * { time: '2024-05-01T12:00:00.000Z', records: 6400, batches: 200, reason: 'plateau',
 *   param: 'learningRate', old: 0.001, new: 0.0005, signals: { monitor: 'holdout', loss: 0.52, best: 0.51, wait: 50 } }
 */
export interface TuningEvent {
  /** ISO time, as passed to `decide`. */
  readonly time: string;
  /** Records seen when the decision was made. */
  readonly records: number;
  /** Batches seen when the decision was made. */
  readonly batches: number;
  readonly reason: TuningReason;
  readonly param: TunedParam;
  /** The value before and after (null for actions, and where the tuner does not know it). */
  readonly old: number | null;
  readonly new: number | null;
  /** The values that caused it. */
  readonly signals: Record<string, number | string>;
  readonly action?: TuningAction['type'];
}

/**
 * Builds an event stamped with the step's time, records and batches; its (param, reason) pair must
 * be one of {@link TUNING_SERIES}, so every series the tuner can report is declared there.
 *
 * @example
 * tuningEvent(signals, now, { reason: 'overfit', param: 'l2', old: 1e-3, new: 2e-3, signals: { gap: 0.08 } });
 */
export function tuningEvent(
  at: Pick<TuningSignals, 'records' | 'batches'>,
  time: string,
  fields: Omit<TuningEvent, 'time' | 'records' | 'batches' | 'param' | 'reason'> & TuningSeries,
): TuningEvent {
  return { time, records: at.records, batches: at.batches, ...fields };
}
