import { map, type OperatorFunction, type TimestampProvider } from 'rxjs';
import { unscale } from '../src/model/unscale.js';
import type { HyperParamsSource } from '../src/tune/Controls.js';
import type { Population } from '../src/tune/Population.js';
import type { Engine } from '../src/model/Engine.js';
import type { ArrivalSample, HyperParams, ScaledSample, ScoredBatch } from '../src/types.js';

/**
 * Every member of the population learns each block prequentially (each at its own batch size and
 * hyperparameters, scaled by the tuner's in `controls`); the block is scored with the champion's
 * predictions (or the members' blend), in target units, except a sample whose label came later
 * (an {@link ArrivalSample}): it is scored with the prediction made when it arrived. `loss`, `steps`
 * and `hyperParams` are the champion's. With a population of one it is {@link trainStep}.
 *
 * @example
 * blocks$.pipe(populationStep(population, controls)).subscribe((scored) => evaluate(scored));
 */
export function populationStep(
  population: Pick<Population, 'learn' | 'champion' | 'championHyperParams'>,
  controls: HyperParamsSource,
  options: { readonly clock?: TimestampProvider } = {},
): OperatorFunction<readonly ScaledSample[], ScoredBatch> {
  const { clock = performance } = options;
  return map((samples): ScoredBatch => {
    const start = clock.now();
    const width = population.champion.width;
    // Paused by an operator: the champion scores the block and nobody learns it.
    const block = controls.paused ? predictOnly(population.champion, samples, population.championHyperParams(controls.hyperParams)) : population.learn(samples, controls.hyperParams);
    const predictions = block.predictions.slice(0, samples.length * width);
    if (population.champion.task === 'regression') unscale(predictions, samples);
    // A sample whose label came later is scored with the prediction made when its features arrived.
    for (let i = 0; i < samples.length; i++) {
      const arrival = (samples[i] as Partial<ArrivalSample>).arrival;
      if (arrival) predictions.set(arrival, i * width);
    }
    return {
      samples,
      predictions,
      width,
      loss: block.steps > 0 ? block.lossSum / block.steps : NaN,
      applied: block.skipped === 0,
      steps: block.steps,
      skipped: block.skipped,
      hyperParams: block.hyperParams,
      seconds: (clock.now() - start) / 1000,
    };
  });
}

/** The champion's predictions of a block without a step (learning paused): no loss, no steps. */
function predictOnly(engine: Pick<Engine, 'inputDim' | 'predict'>, samples: readonly ScaledSample[], hyperParams: HyperParams) {
  const x = new Float32Array(samples.length * engine.inputDim);
  samples.forEach((s, i) => x.set(s.z, i * engine.inputDim));
  const predictions = samples.length > 0 ? engine.predict(x, samples.length) : new Float32Array(0);
  return { predictions, lossSum: 0, steps: 0, skipped: 0, hyperParams };
}
