/**
 * Every (param, reason) pair the tuner can report: the one list the {@link TuningEvent} types are
 * derived from and the telemetry pre-creates its `streamtune_tuning_adjustments_total` series from.
 * A policy that emits a new pair adds it here first (`tuningEvent` rejects an undeclared pair).
 *
 * @example
 * for (const { param, reason } of TUNING_SERIES) counter.inc({ param, reason }, 0);
 */
export const TUNING_SERIES = [
  { param: 'learningRate', reason: 'drift' },
  { param: 'learningRate', reason: 'drift_decay' },
  { param: 'learningRate', reason: 'plateau' },
  { param: 'learningRate', reason: 'divergence' },
  { param: 'l2', reason: 'overfit' },
  { param: 'l2', reason: 'underfit' },
  { param: 'weights', reason: 'divergence' },
  { param: 'optimizer', reason: 'drift' },
  { param: 'standardizer', reason: 'drift' },
  { param: 'weights', reason: 'population' },
  { param: 'learningRate', reason: 'population' },
  { param: 'l2', reason: 'population' },
  { param: 'batchSize', reason: 'population' },
  // An operator's control actions (the control API, or an alert mapped to one): who and what in the signals.
  { param: 'learning', reason: 'operator' },
  { param: 'learningRate', reason: 'operator' },
  { param: 'l2', reason: 'operator' },
  { param: 'weights', reason: 'operator' },
  { param: 'standardizer', reason: 'operator' },
  { param: 'checkpoint', reason: 'operator' },
] as const;
