import { map, type OperatorFunction, type TimestampProvider } from 'rxjs';
import { ModelError } from '../src/errors.js';
import { BlockLearner, type StepEngine } from '../src/model/BlockLearner.js';
import type { Engine } from '../src/model/Engine.js';
import { unscale } from '../src/model/unscale.js';
import type { HyperParamsSource } from '../src/tune/Controls.js';
import type { ScaledSample, ScoredBatch } from '../src/types.js';

/** The part of an {@link Engine} the train step uses (a fake will do in tests). */
export interface TrainerLike extends StepEngine, Pick<Engine, 'learningRate' | 'l2'> {}

export interface TrainStepOptions {
  /**
   * Records per Adam step (the batch size of learning): a mini-batch of 32 with `stepSize: 1` is
   * learned record by record, each scored by the model the previous ones left. Default: the whole
   * mini-batch in one step.
   */
  readonly stepSize?: number;
  readonly clock?: TimestampProvider;
}

/**
 * Trains on each mini-batch and scores it prequentially. Reads the hyperparameters in force from
 * `controls` (their one owner) and sets them on the engine; then, chunk by chunk of `stepSize`
 * records in stream order, scores the chunk's holdout rows with the current model and takes one
 * step on its train rows, whose scores come from the model as it stood before that update, in
 * inference mode. Predictions come out in the batch's sample order and in target units
 * (regression: `out * targetScale + targetShift`); `loss` is the mean over the batch's steps.
 *
 * @example
 * batches$.pipe(trainStep(engine, controls, { stepSize: 1 })).subscribe((scored) => evaluate(scored));
 */
export function trainStep(
  engine: TrainerLike,
  controls: HyperParamsSource,
  options: TrainStepOptions = {},
): OperatorFunction<readonly ScaledSample[], ScoredBatch> {
  const { stepSize = Infinity, clock = performance } = options;
  if (!(stepSize >= 1)) throw new ModelError(`trainStep: "stepSize" must be >= 1, got ${stepSize}`);
  const learner = new BlockLearner(engine);
  const width = engine.width;

  return map((samples): ScoredBatch => {
    const start = clock.now();
    const params = controls.hyperParams;
    engine.learningRate = params.learningRate;
    engine.l2 = params.l2;
    const n = samples.length;
    const { predictions: learned, lossSum, steps, skipped } = learner.learn(samples, stepSize);
    const predictions = learned.slice(0, n * width);
    if (engine.task === 'regression') unscale(predictions, samples);
    return {
      samples,
      predictions,
      width,
      loss: steps > 0 ? lossSum / steps : NaN,
      applied: skipped === 0,
      steps,
      skipped,
      hyperParams: params,
      seconds: (clock.now() - start) / 1000,
    };
  });
}
