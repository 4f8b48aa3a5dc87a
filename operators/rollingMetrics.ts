import { defer, map, type OperatorFunction } from 'rxjs';
import { Evaluator, type Evaluation, type EvaluatorSettings } from '../src/eval/Evaluator.js';
import type { ScoredBatch } from '../src/types.js';

/**
 * Scores each report's batch with an {@link Evaluator} and passes the report on with the
 * evaluation after that batch (the batch travels with its evaluation). Each
 * subscription gets its own evaluator built from `settings`, unless `state` is given: then that
 * evaluator is used (and updated) instead, e.g. one restored from a checkpoint, and `settings`
 * only documents what it was built with.
 *
 * @example
 * scored$.pipe(map((batch) => ({ batch })), rollingMetrics({ task: 'binary', classes: 2, window: 1000 }))
 *   .subscribe(({ evaluation }) => console.log(evaluation.window.holdout.crossEntropy));
 */
export function rollingMetrics<T extends { readonly batch: ScoredBatch }>(
  settings: EvaluatorSettings,
  state?: Evaluator,
): OperatorFunction<T, T & { readonly evaluation: Evaluation }> {
  if (state === undefined) new Evaluator(settings); // fail fast on invalid settings, at assembly time
  return (source) =>
    defer(() => {
      const evaluator = state ?? new Evaluator(settings);
      return source.pipe(
        map((report) => {
          evaluator.update(report.batch);
          return { ...report, evaluation: evaluator.get() };
        }),
      );
    });
}
