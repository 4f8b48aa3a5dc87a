import { defer, map, type OperatorFunction } from 'rxjs';
import { Evaluator, type Evaluation, type EvaluatorSettings } from '../src/eval/Evaluator.js';
import type { ScoredBatch } from '../src/types.js';

/**
 * Scores each batch with an {@link Evaluator} and emits its evaluation after every batch. Each
 * subscription gets its own evaluator built from `settings`, unless `state` is given: then that
 * evaluator is used (and updated) instead, e.g. one restored from a checkpoint, and `settings`
 * only documents what it was built with.
 *
 * @example
 * scored$.pipe(rollingMetrics({ task: 'binary', classes: 2, window: 1000 }))
 *   .subscribe((e) => console.log(e.window.holdout.crossEntropy));
 */
export function rollingMetrics(
  settings: EvaluatorSettings,
  state?: Evaluator,
): OperatorFunction<ScoredBatch, Evaluation> {
  if (state === undefined) new Evaluator(settings); // fail fast on invalid settings, at assembly time
  return (source) =>
    defer(() => {
      const evaluator = state ?? new Evaluator(settings);
      return source.pipe(
        map((batch) => {
          evaluator.update(batch);
          return evaluator.get();
        }),
      );
    });
}
