import { map, type OperatorFunction, type TimestampProvider } from 'rxjs';
import { ModelError } from '../src/errors.js';
import type { Engine, StepResult } from '../src/model/Engine.js';
import type { HyperParamsSource } from '../src/tune/Controls.js';
import type { ScaledSample, ScoredBatch } from '../src/types.js';

/** The part of an {@link Engine} the train step uses (a fake will do in tests). */
export interface TrainerLike extends Pick<Engine, 'task' | 'inputDim' | 'width' | 'learningRate' | 'l2' | 'predict'> {
  step(x: Float32Array, target: Float32Array, n: number): Pick<StepResult, 'loss' | 'predictions' | 'applied'>;
}

/**
 * Trains on each mini-batch and scores it prequentially. Reads the hyperparameters in force from
 * `controls` (their one owner) and sets them on the engine; holdout rows are scored with the
 * current model, then train rows go through one step, scored by the model as it stood before the
 * update, in inference mode. Predictions come out in the batch's
 * sample order and in target units (regression: `out * targetScale + targetShift`).
 *
 * @example
 * batches$.pipe(trainStep(engine, controls)).subscribe((scored) => evaluate(scored));
 */
export function trainStep(
  trainer: TrainerLike,
  controls: HyperParamsSource,
  clock: TimestampProvider = performance,
): OperatorFunction<readonly ScaledSample[], ScoredBatch> {
  return map((samples): ScoredBatch => {
    const start = clock.now();
    const params = controls.hyperParams;
    trainer.learningRate = params.learningRate;
    trainer.l2 = params.l2;
    const width = trainer.width;
    const predictions = new Float32Array(samples.length * width);
    const holdout = rowsOf(samples, 'holdout');
    const train = rowsOf(samples, 'train');
    if (holdout.length > 0) {
      scatter(predictions, width, holdout, trainer.predict(features(holdout, samples, trainer.inputDim), holdout.length));
    }
    let loss = NaN;
    let applied = true;
    if (train.length > 0) {
      const target = Float32Array.from(train, (i) => (samples[i] as ScaledSample).target);
      const result = trainer.step(features(train, samples, trainer.inputDim), target, train.length);
      scatter(predictions, width, train, result.predictions);
      ({ loss, applied } = result);
    }
    if (trainer.task === 'regression') {
      samples.forEach((s, i) => (predictions[i] = (predictions[i] as number) * s.targetScale + s.targetShift));
    }
    return { samples, predictions, width, loss, applied, hyperParams: params, seconds: (clock.now() - start) / 1000 };
  });
}

function rowsOf(samples: readonly ScaledSample[], split: ScaledSample['split']): number[] {
  const rows: number[] = [];
  samples.forEach((s, i) => s.split === split && rows.push(i));
  return rows;
}

/** The standardized features of the given rows, row-major. */
function features(rows: readonly number[], samples: readonly ScaledSample[], dim: number): Float32Array {
  const x = new Float32Array(rows.length * dim);
  rows.forEach((row, r) => {
    const s = samples[row] as ScaledSample;
    if (s.z.length !== dim) {
      throw new ModelError(`sample at ${s.position} has ${s.z.length} features, the model takes ${dim}`);
    }
    x.set(s.z, r * dim);
  });
  return x;
}

/** Copies prediction row r of `block` to row `rows[r]` of `out`. */
function scatter(out: Float32Array, width: number, rows: readonly number[], block: Float32Array): void {
  rows.forEach((row, r) => out.set(block.subarray(r * width, (r + 1) * width), row * width));
}
