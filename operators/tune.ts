import { defer, map, type Observable, type OperatorFunction } from 'rxjs';
import type { DriftDetection } from '../src/drift/DriftMonitor.js';
import type { Evaluation, SplitMetrics } from '../src/eval/Evaluator.js';
import type { TuningDecision } from '../src/tune/TuningDecision.js';
import { Tuner } from '../src/tune/Tuner.js';
import type { TunerSettingsInput } from '../src/tune/tuningSchema.js';
import type { HyperParams, ScoredBatch, Task } from '../src/types.js';

export interface TuneInput {
  readonly batch: ScoredBatch;
  readonly evaluation: Evaluation;
  readonly counts: { readonly total: number; readonly batches: number };
  readonly drift: DriftDetection | null;
}

/**
 * Turns each batch's signals (drift, windowed train and holdout loss, the step's loss) into a
 * tuning decision: the hyperparameters for the next step, the events explaining any change, and
 * actions for the caller (restore weights, reset moments, forget faster). Pure: time is injected.
 *
 * @example
 * reports$.pipe(detectDrift(...), tune(settings, 'binary', () => hp$.value))
 * // --{..., decision: {hp: {learningRate: 0.003, l2: 0.001}, events: [{reason: 'drift', ...}], actions: []}}--
 */
export function tune<T extends TuneInput>(
  settings: TunerSettingsInput,
  task: Task,
  current: () => HyperParams,
  now: () => string = () => new Date().toISOString(),
  state?: Tuner,
): OperatorFunction<T, T & { readonly decision: TuningDecision }> {
  const loss = (m: SplitMetrics): number => (task === 'regression' ? m.mse : (m.crossEntropy ?? NaN));
  return (source: Observable<T>) =>
    defer(() => {
      const tuner = state ?? new Tuner(settings);
      return source.pipe(
        map((report) => {
          const { batch, evaluation, counts, drift } = report;
          const decision = tuner.decide(
            {
              records: counts.total,
              batches: counts.batches,
              drift: drift && { detector: drift.detector, signal: drift.signal },
              trainLoss: loss(evaluation.window.train),
              holdoutLoss: loss(evaluation.window.holdout),
              batchLoss: batch.loss,
              applied: batch.applied,
            },
            current(),
            now(),
          );
          return { ...report, decision };
        }),
      );
    });
}
