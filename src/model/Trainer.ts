import * as tf from '@tensorflow/tfjs';
import { ModelError } from '../errors.js';
import type { Task } from '../types.js';
import { Adam, type AdamState } from './Adam.js';
import { buildModel } from './build.js';
import { checkWeights } from './checkWeights.js';
import { nonNegative } from './nonNegative.js';
import type { Engine, EngineSnapshot, StepResult, WeightData } from './Engine.js';
import type { EngineSettings } from './EngineSettings.js';
import { restoreEngine, snapshotEngine } from './engineSnapshot.js';

/** The settings of the TF.js engine: the shared engine settings. */
export type TrainerSettings = EngineSettings;

export type { StepResult, WeightData } from './Engine.js';

/** The trainer's learned state as JSON: the engine snapshot format shared by every engine. */
export type TrainerSnapshot = EngineSnapshot;

/**
 * The TF.js engine: one Adam step per mini-batch on the task's loss plus `l2 * Σ kernel²`,
 * with the learning rate and the L2 coefficient changeable between steps and a guard that
 * skips non-finite steps. Tensors stay inside; callers see Float32Array and numbers. Runs on
 * whichever TF.js backend is active (tfjs-node, wasm, cpu).
 *
 * @example
 * const trainer = new Trainer({ task: 'binary', classes: 2, inputDim: 3, model: { layers: [], seed: 1 } });
 * const { loss, predictions } = trainer.step(x, y, n); // x: n*3 standardized features, y: n labels
 * trainer.learningRate = 0.0005;
 * trainer.predict(x, n); // P(y=1) per row, dropout off
 */
export class Trainer implements Engine {
  readonly kind = 'tfjs' as const;
  readonly task: Task;
  readonly classes: number;
  readonly inputDim: number;
  readonly clipNorm: number | undefined;
  private readonly model: tf.Sequential;
  private readonly adam: Adam;
  private readonly vars: tf.Variable[];
  private readonly kernels: tf.Variable[];
  /** Whether a training forward pass differs from an inference one (some dropout rate > 0). */
  private readonly hasDropout: boolean;
  private l2Value = 0;

  constructor(settings: TrainerSettings) {
    this.task = settings.task;
    this.classes = settings.classes;
    this.inputDim = settings.inputDim;
    this.clipNorm = settings.clipNorm;
    if (this.clipNorm !== undefined && !(this.clipNorm > 0)) {
      throw new ModelError(`clipNorm must be > 0, got ${this.clipNorm}`);
    }
    this.adam = new Adam(settings.learningRate ?? 0.001, settings.adam);
    this.l2 = settings.l2 ?? 0.001;
    this.model = buildModel(settings.model, settings);
    this.vars = this.model.trainableWeights.map((w) => w.read() as tf.Variable);
    this.kernels = this.model.trainableWeights
      .filter((w) => w.originalName.endsWith('/kernel'))
      .map((w) => w.read() as tf.Variable);
    this.hasDropout = settings.model.layers.some((layer) => layer.type === 'dropout' && layer.rate > 0);
  }

  get learningRate(): number {
    return this.adam.learningRate;
  }

  set learningRate(value: number) {
    this.adam.learningRate = value;
  }

  get l2(): number {
    return this.l2Value;
  }

  set l2(value: number) {
    this.l2Value = nonNegative('l2', value);
  }

  /** Width of one prediction row: 1, or the number of classes. */
  get width(): number {
    return this.task === 'multiclass' ? this.classes : 1;
  }

  /** Number of updates applied so far. */
  get iterations(): number {
    return this.adam.iterations;
  }

  /** Live tensors in the TF.js engine (to export as a gauge; it must stay flat). */
  get numTensors(): number {
    return tf.memory().numTensors;
  }

  /**
   * One Adam step on a mini-batch. `x` holds `n * inputDim` standardized features row-major;
   * `target` holds n values: 0/1 (binary), class ids (multiclass) or the (scaled) target (regression).
   * The predictions are the model's inference-mode outputs before the update: with dropout, from a
   * separate forward pass; without, from the training forward pass (the same numbers).
   */
  step(x: Float32Array, target: Float32Array, n: number): StepResult {
    this.checkBatch(x, n);
    if (target.length !== n) throw new ModelError(`step: target has ${target.length} values for ${n} rows`);
    const inference = this.hasDropout ? this.predict(x, n) : undefined;
    const l2 = this.l2Value;
    // variableGrads disposes what its function creates except the loss, so the outputs and data
    // loss of that same forward pass are kept explicitly; everything kept is released in `finally`.
    let outputs: tf.Tensor | undefined;
    let dataLoss: tf.Scalar | undefined;
    const owned: tf.Tensor[] = [];
    try {
      const { stats, grads } = tf.tidy(() => {
        const xs = tf.tensor2d(x, [n, this.inputDim]);
        const { value, grads } = tf.variableGrads(() => {
          const logits = this.logits(xs, true);
          outputs = tf.keep(this.activate(logits));
          dataLoss = tf.keep(this.dataLoss(logits, target, n));
          const penalty = tf.mul(l2, tf.addN(this.kernels.map((k) => tf.sum(tf.square(k)))));
          return tf.add(dataLoss, penalty) as tf.Scalar;
        }, this.vars);
        const ordered = this.vars.map((v) => grads[v.name] ?? tf.zerosLike(v));
        const gradNorm = tf.sqrt(tf.addN(ordered.map((g) => tf.sum(tf.square(g)))));
        return { stats: tf.stack([value, dataLoss as tf.Scalar, gradNorm]), grads: ordered };
      });
      owned.push(stats, ...grads);
      const [loss = NaN, dataLossValue = NaN, gradNorm = NaN] = stats.dataSync();
      const applied = Number.isFinite(loss) && Number.isFinite(gradNorm);
      if (applied) {
        const scale = this.clipNorm !== undefined && gradNorm > this.clipNorm ? this.clipNorm / gradNorm : 1;
        tf.tidy(() => this.adam.apply(this.vars, scale === 1 ? grads : grads.map((g) => tf.mul(g, scale))));
      }
      const predictions = inference ?? ((outputs as tf.Tensor).dataSync() as Float32Array);
      return { loss, dataLoss: dataLossValue, gradNorm, predictions, applied };
    } finally {
      tf.dispose([...owned, ...(outputs ? [outputs] : []), ...(dataLoss ? [dataLoss] : [])]);
    }
  }

  /** Outputs for `n` rows in inference mode (dropout off): P(y=1), the value, or class probabilities. */
  predict(x: Float32Array, n: number): Float32Array {
    this.checkBatch(x, n);
    const out = tf.tidy(() => this.activate(this.logits(tf.tensor2d(x, [n, this.inputDim]), false)));
    try {
      return out.dataSync() as Float32Array;
    } finally {
      out.dispose();
    }
  }

  /** The model weights (kernels and biases, layer by layer). */
  getWeights(): WeightData[] {
    return this.vars.map((v) => ({ shape: [...v.shape], values: (v.dataSync() as Float32Array).slice() }));
  }

  /** Overwrites the model weights with ones from `getWeights` (same architecture). */
  setWeights(weights: readonly WeightData[]): void {
    checkWeights(weights, this.vars.map((v) => v.shape));
    tf.tidy(() => this.vars.forEach((v, i) => v.assign(tf.tensor((weights[i] as WeightData).values.slice(), v.shape))));
  }

  /** Adam's moments and step count. */
  get optimizerState(): AdamState {
    return this.adam.getWeights();
  }

  set optimizerState(state: AdamState) {
    this.adam.setWeights(state);
  }

  /** Forgets Adam's moments (e.g. after a drift) without touching the weights. */
  resetOptimizer(): void {
    this.adam.resetMoments();
  }

  /** Weights and optimizer state as JSON. */
  snapshot(): EngineSnapshot {
    return snapshotEngine(this);
  }

  /** Restores a `snapshot()` into a trainer built with the same settings. */
  restore(snapshot: EngineSnapshot): void {
    restoreEngine(this, snapshot);
  }

  /** Releases the model and optimizer tensors. */
  dispose(): void {
    this.adam.dispose();
    this.model.dispose();
  }

  /** Pre-activation outputs: the hidden layers, then the output layer's kernel and bias. */
  private logits(xs: tf.Tensor, training: boolean): tf.Tensor2D {
    const layers = this.model.layers;
    const hidden = layers.slice(0, -1).reduce((h, layer) => layer.apply(h, { training }) as tf.Tensor, xs);
    const [kernel, bias] = (layers[layers.length - 1] as tf.layers.Layer).trainableWeights.map((w) => w.read());
    return tf.add(tf.matMul(hidden as tf.Tensor2D, kernel as tf.Tensor2D), bias as tf.Tensor) as tf.Tensor2D;
  }

  private activate(logits: tf.Tensor2D): tf.Tensor {
    if (this.task === 'binary') return tf.sigmoid(logits);
    if (this.task === 'multiclass') return tf.softmax(logits);
    return logits;
  }

  /** Mean task loss from logits, computed stably. */
  private dataLoss(logits: tf.Tensor2D, target: Float32Array, n: number): tf.Scalar {
    if (this.task === 'multiclass') {
      const onehot = tf.oneHot(tf.tensor1d(Int32Array.from(target), 'int32'), this.classes);
      return tf.neg(tf.mean(tf.sum(tf.mul(onehot, tf.logSoftmax(logits)), 1))) as tf.Scalar;
    }
    const y = tf.tensor2d(target, [n, 1]);
    if (this.task === 'regression') return tf.mean(tf.squaredDifference(logits, y));
    // max(z, 0) - z*y + log(1 + exp(-|z|)): binary cross-entropy of sigmoid(z), without overflow.
    return tf.mean(tf.add(tf.sub(tf.relu(logits), tf.mul(logits, y)), tf.log1p(tf.exp(tf.neg(tf.abs(logits))))));
  }

  private checkBatch(x: Float32Array, n: number): void {
    if (!(Number.isInteger(n) && n > 0)) throw new ModelError(`batch size must be a positive integer, got ${n}`);
    if (x.length !== n * this.inputDim) {
      throw new ModelError(`batch x has ${x.length} values, ${n} rows of ${this.inputDim} features need ${n * this.inputDim}`);
    }
  }
}
