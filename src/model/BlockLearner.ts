import { ModelError } from '../errors.js';
import type { ScaledSample } from '../types.js';
import type { Engine, StepResult } from './Engine.js';

/** The part of an {@link Engine} a block learner uses (a fake will do in tests). */
export interface StepEngine extends Pick<Engine, 'task' | 'inputDim' | 'width' | 'predict'> {
  step(x: Float32Array, target: Float32Array, n: number): Pick<StepResult, 'loss' | 'predictions' | 'applied'>;
}

/** What one engine did with a block: its prequential predictions and its steps. */
export interface LearnedBlock {
  /**
   * `n * width` outputs in the block's sample order, in the model's units (regression: the scaled
   * target). Reused by the next {@link BlockLearner.learn}: copy what you keep.
   */
  readonly predictions: Float32Array;
  /** Sum of the steps' losses. */
  readonly lossSum: number;
  readonly steps: number;
  /** Steps skipped by the engine's non-finite guard. */
  readonly skipped: number;
}

/**
 * Learns a block of samples with one engine, chunk by chunk of `stepSize` records in stream
 * order: scores the chunk's holdout rows with the current model, then takes one step on its train
 * rows, whose scores come from the model as it stood before that update (the prequential score).
 * Buffers are kept between blocks, so a step per record allocates nothing.
 *
 * @example
 * const learner = new BlockLearner(engine);
 * const { predictions, steps } = learner.learn(samples, 1); // one Adam step per record
 */
export class BlockLearner {
  readonly #engine: StepEngine;
  #xs = new Float32Array(0);
  #targets = new Float32Array(0);
  #rows = new Int32Array(0);
  #out = new Float32Array(0);
  // Views of the first k rows, made once per k (a step per record would otherwise make two per record).
  #xViews: Float32Array[] = [];
  #targetViews: Float32Array[] = [];

  constructor(engine: StepEngine) {
    this.#engine = engine;
  }

  get engine(): StepEngine {
    return this.#engine;
  }

  learn(samples: readonly ScaledSample[], stepSize: number): LearnedBlock {
    if (!(stepSize >= 1)) throw new ModelError(`BlockLearner: "stepSize" must be >= 1, got ${stepSize}`);
    const engine = this.#engine;
    const n = samples.length;
    const chunk = Math.min(stepSize, n);
    this.#ensure(chunk, n * engine.width);
    const predictions = this.#out.subarray(0, n * engine.width);
    let lossSum = 0;
    let steps = 0;
    let skipped = 0;
    for (let from = 0; from < n; from += chunk) {
      const to = Math.min(n, from + chunk);
      const holdout = this.#gather(samples, from, to, 'holdout');
      if (holdout > 0) this.#scatter(predictions, holdout, engine.predict(this.#xOf(holdout), holdout));
      const train = this.#gather(samples, from, to, 'train');
      if (train === 0) continue;
      const result = engine.step(this.#xOf(train), this.#targetsOf(train), train);
      this.#scatter(predictions, train, result.predictions);
      steps++;
      lossSum += result.loss;
      if (!result.applied) skipped++;
    }
    return { predictions, lossSum, steps, skipped };
  }

  #ensure(rows: number, outputs: number): void {
    if (this.#out.length < outputs) this.#out = new Float32Array(outputs);
    if (this.#rows.length >= rows) return;
    this.#xs = new Float32Array(rows * this.#engine.inputDim);
    this.#targets = new Float32Array(rows);
    this.#rows = new Int32Array(rows);
    this.#xViews = [];
    this.#targetViews = [];
  }

  #xOf(k: number): Float32Array {
    return (this.#xViews[k] ??= this.#xs.subarray(0, k * this.#engine.inputDim));
  }

  #targetsOf(k: number): Float32Array {
    return (this.#targetViews[k] ??= this.#targets.subarray(0, k));
  }

  /** Gathers the rows of `split` in [start, end) into the buffers; returns how many. */
  #gather(samples: readonly ScaledSample[], start: number, end: number, split: ScaledSample['split']): number {
    const dim = this.#engine.inputDim;
    let k = 0;
    for (let i = start; i < end; i++) {
      const s = samples[i] as ScaledSample;
      if (s.split !== split) continue;
      if (s.z.length !== dim) throw new ModelError(`sample at ${s.position} has ${s.z.length} features, the model takes ${dim}`);
      this.#xs.set(s.z, k * dim);
      this.#targets[k] = s.target;
      this.#rows[k++] = i;
    }
    return k;
  }

  /** Copies prediction row r of `block` to row `rows[r]` of `out`. */
  #scatter(out: Float32Array, count: number, block: Float32Array): void {
    const width = this.#engine.width;
    const rows = this.#rows;
    for (let r = 0; r < count; r++) {
      const to = (rows[r] as number) * width;
      for (let j = 0; j < width; j++) out[to + j] = block[r * width + j] as number;
    }
  }
}
