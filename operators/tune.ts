import { map, type OperatorFunction } from 'rxjs';
import type { DriftDetection } from '../src/drift/DriftMonitor.js';
import type { Evaluation, SplitMetrics } from '../src/eval/Evaluator.js';
import type { Controls } from '../src/tune/Controls.js';
import type { Population } from '../src/tune/Population.js';
import { populationEvents } from '../src/tune/populationEvents.js';
import type { Tuner } from '../src/tune/Tuner.js';
import type { TuningDecision } from '../src/tune/TuningDecision.js';
import type { ScoredBatch, Task } from '../src/types.js';

export interface TuneInput {
  readonly batch: ScoredBatch;
  readonly evaluation: Evaluation;
  readonly counts: { readonly total: number; readonly batches: number };
  readonly drift: DriftDetection | null;
}

/** What `tune` reads and writes besides the reports: the tuner's state and the controls it decides for. */
export interface TuneOptions {
  readonly task: Task;
  /** The one owner of the hyperparameters: read for the decision, then written with it (actions included). */
  readonly controls: Pick<Controls, 'hyperParams' | 'apply'> & { readonly paused?: boolean };
  /** The population, when there is one: its exploit/explore round runs after the tuner (at once after a drift, wider). */
  readonly population?: Pick<Population, 'explore'>;
  /** Time of the decision's events (injected so tests are deterministic). */
  readonly now?: () => string;
}

/**
 * Turns each batch's signals (drift, windowed train and holdout loss, the step's loss) into a
 * tuning decision and puts it in force through `controls`: the hyperparameters the next step
 * reads, and the actions on the training state (restore weights, reset moments, forget faster).
 * Then the population (if given) runs its exploit/explore round when due, or at once after a
 * drift; each member it changes adds `population` events to the decision.
 * The report goes on with the decision (its events explain every change).
 *
 * @example
 * reports$.pipe(detectDrift(...), tune(new Tuner(config.tuning), { task: 'binary', controls }))
 * // --{..., decision: {hp: {learningRate: 0.003, l2: 0.001}, events: [{reason: 'drift', ...}], actions: []}}--
 */
export function tune<T extends TuneInput>(
  tuner: Pick<Tuner, 'decide'>,
  options: TuneOptions,
): OperatorFunction<T, T & { readonly decision: TuningDecision }> {
  const { task, controls, population, now = () => new Date().toISOString() } = options;
  const loss = (m: SplitMetrics): number => (task === 'regression' ? m.mse : (m.crossEntropy ?? NaN));
  return map((report) => {
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
      controls.hyperParams,
      now(),
    );
    controls.apply(decision, batch, counts.batches);
    // While an operator has paused learning nobody learns, so nobody is ranked or copied either.
    const explored = controls.paused ? [] : (population?.explore(drift !== null) ?? []);
    if (explored.length === 0) return { ...report, decision };
    const events = explored.flatMap((change) => populationEvents(change, counts, now()));
    return { ...report, decision: { ...decision, events: [...decision.events, ...events] } };
  });
}
