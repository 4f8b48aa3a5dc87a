import { map, type OperatorFunction, type TimestampProvider } from 'rxjs';
import { ModelError } from '../src/errors.js';
import type { Engine, StepResult } from '../src/model/Engine.js';
import type { HyperParamsSource } from '../src/tune/Controls.js';
import type { ScaledSample, ScoredBatch } from '../src/types.js';

/** The part of an {@link Engine} the train step uses (a fake will do in tests). */
export interface TrainerLike extends Pick<Engine, 'task' | 'inputDim' | 'width' | 'learningRate' | 'l2' | 'predict'> {
  step(x: Float32Array, target: Float32Array, n: number): Pick<StepResult, 'loss' | 'predictions' | 'applied'>;
}

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
  const dim = engine.inputDim;
  const width = engine.width;
  // Reused between calls: the engine reads them synchronously and keeps nothing.
  let xs = new Float32Array(0);
  let targets = new Float32Array(0);
  let rows = new Int32Array(0);
  // Views of the first k rows, made once per k (a step per record would otherwise make two per record).
  let xViews: Float32Array[] = [];
  let targetViews: Float32Array[] = [];
  const ensure = (n: number): void => {
    if (rows.length >= n) return;
    xs = new Float32Array(n * dim);
    targets = new Float32Array(n);
    rows = new Int32Array(n);
    xViews = [];
    targetViews = [];
  };
  const xOf = (k: number): Float32Array => (xViews[k] ??= xs.subarray(0, k * dim));
  const targetsOf = (k: number): Float32Array => (targetViews[k] ??= targets.subarray(0, k));

  /** Gathers the rows of `split` in [start, end) into xs/targets/rows; returns how many. */
  const gather = (samples: readonly ScaledSample[], start: number, end: number, split: ScaledSample['split']): number => {
    let k = 0;
    for (let i = start; i < end; i++) {
      const s = samples[i] as ScaledSample;
      if (s.split !== split) continue;
      if (s.z.length !== dim) throw new ModelError(`sample at ${s.position} has ${s.z.length} features, the model takes ${dim}`);
      xs.set(s.z, k * dim);
      targets[k] = s.target;
      rows[k++] = i;
    }
    return k;
  };

  /** Copies prediction row r of `block` to row `rows[r]` of `out`. */
  const scatter = (out: Float32Array, count: number, block: Float32Array): void => {
    for (let r = 0; r < count; r++) {
      const to = (rows[r] as number) * width;
      for (let j = 0; j < width; j++) out[to + j] = block[r * width + j] as number;
    }
  };

  return map((samples): ScoredBatch => {
    const start = clock.now();
    const params = controls.hyperParams;
    engine.learningRate = params.learningRate;
    engine.l2 = params.l2;
    const n = samples.length;
    const chunk = Math.min(stepSize, n);
    ensure(chunk);
    const predictions = new Float32Array(n * width);
    let lossSum = 0;
    let steps = 0;
    let skipped = 0;
    for (let from = 0; from < n; from += chunk) {
      const to = Math.min(n, from + chunk);
      const holdout = gather(samples, from, to, 'holdout');
      if (holdout > 0) scatter(predictions, holdout, engine.predict(xOf(holdout), holdout));
      const train = gather(samples, from, to, 'train');
      if (train === 0) continue;
      const result = engine.step(xOf(train), targetsOf(train), train);
      scatter(predictions, train, result.predictions);
      steps++;
      lossSum += result.loss;
      if (!result.applied) skipped++;
    }
    if (engine.task === 'regression') {
      for (let i = 0; i < n; i++) {
        const s = samples[i] as ScaledSample;
        predictions[i] = (predictions[i] as number) * s.targetScale + s.targetShift;
      }
    }
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
