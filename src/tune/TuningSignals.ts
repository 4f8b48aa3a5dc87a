/**
 * What the tuner sees after each evaluation step (one per batch): plain numbers, no detectors.
 *
 * @example
 * const signals: TuningSignals = {
 *   records: 3200, batches: 100, drift: { detector: 'pageHinkley', signal: 'drift' },
 *   trainLoss: 0.41, holdoutLoss: 0.44, batchLoss: 0.39, applied: true,
 * };
 */
export interface TuningSignals {
  /** Records seen so far. */
  readonly records: number;
  /** Batches seen so far, this one included; the clock of every `...Batches` setting. */
  readonly batches: number;
  /** The detector that fired this step and what it signalled; null when none did. */
  readonly drift: { readonly detector: string; readonly signal: string } | null;
  /** Windowed prequential train loss: cross-entropy for classification, MSE for regression. */
  readonly trainLoss: number;
  /** Windowed holdout loss, NaN when there is no holdout (yet). */
  readonly holdoutLoss: number;
  /**
   * Loss of the last train step; may be NaN or Infinity. As in `ScoredBatch.loss`, NaN with
   * `applied: true` means the batch had no train rows (nothing was learned, nothing diverged).
   */
  readonly batchLoss: number;
  /** False when the last step was skipped because its loss or gradient was not finite. */
  readonly applied: boolean;
}
