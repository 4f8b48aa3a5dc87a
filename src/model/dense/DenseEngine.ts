import { ModelError } from '../../errors.js';
import type { Task } from '../../types.js';
import type { AdamState } from '../AdamSettings.js';
import { checkWeights } from '../checkWeights.js';
import { nonNegative } from '../nonNegative.js';
import { restoreEngine, snapshotEngine } from '../engineSnapshot.js';
import type { Engine, EngineSnapshot, StepResult, WeightData } from '../Engine.js';
import type { EngineSettings } from '../EngineSettings.js';
import { activations } from './activations.js';
import { DenseAdam } from './DenseAdam.js';
import { denseBackward } from './denseBackward.js';
import { DenseOp } from './DenseOp.js';
import { denseForward } from './denseForward.js';
import { initialWeights } from './initialWeights.js';
import { losses } from './losses.js';
import { penaltyAndNorm } from './penaltyAndNorm.js';

const EMPTY32 = new Float32Array(0);

/**
 * The model computed directly on Float32Arrays: the spec's dense and dropout layers and the task's
 * output layer, with forward and backward passes, the task loss plus `l2 * Σ kernel²`, global-norm
 * clipping, Adam/AMSGrad as src/model/Adam.ts, the non-finite guard and seeded inverted dropout.
 * Starts from TF.js's initial weights for the same spec; snapshots are the TF.js engine's format.
 * Buffers are allocated for the largest batch seen and reused: no allocation per step.
 *
 * @example
 * const engine = new DenseEngine({ task: 'binary', classes: 2, inputDim: 8, model: { layers: [{ type: 'dense', units: 64 }], seed: 1 } });
 * const { predictions } = engine.step(x, y, 1); // P(y=1) before the update, then one Adam step
 */
export class DenseEngine implements Engine {
  readonly kind = 'dense' as const;
  readonly task: Task;
  readonly classes: number;
  readonly inputDim: number;
  readonly width: number;
  readonly clipNorm: number | undefined;
  private readonly ops: DenseOp[];
  private readonly shapes: number[][];
  private readonly offsets: number[];
  private readonly kernelRanges: number[];
  private readonly params: Float32Array;
  private readonly grads: Float64Array;
  private readonly adam: DenseAdam;
  /** Index of the first dropout op, or -1: the layers before it compute the same in both modes. */
  private readonly firstDropout: number;
  private readonly maxWidth: number;
  private lr = 0;
  private l2Value = 0;
  private capacity = 0;
  private disposed = false;
  private deltaA = new Float64Array(0);
  private deltaB = new Float64Array(0);
  private stepOut = EMPTY32;
  private trainOut = EMPTY32;
  private predictOut = EMPTY32;
  private stepView = EMPTY32;
  private predictView = EMPTY32;
  /** Σ kernel² and the squared gradient norm of the last step. */
  private readonly sums = new Float64Array(2);
  private readonly result = { loss: NaN, dataLoss: NaN, gradNorm: NaN, predictions: EMPTY32, applied: false };

  constructor(settings: EngineSettings) {
    this.task = settings.task;
    this.classes = settings.classes;
    this.inputDim = settings.inputDim;
    this.width = settings.task === 'multiclass' ? settings.classes : 1;
    this.clipNorm = settings.clipNorm;
    if (this.clipNorm !== undefined && !(this.clipNorm > 0)) {
      throw new ModelError(`clipNorm must be > 0, got ${this.clipNorm}`);
    }
    const weights = initialWeights(settings.model, settings); // validates the spec like buildModel
    this.shapes = weights.map((w) => [...w.shape]);
    this.offsets = [];
    let total = 0;
    for (const w of weights) {
      this.offsets.push(total);
      total += w.values.length;
    }
    this.params = new Float32Array(total);
    weights.forEach((w, i) => this.params.set(w.values, this.offsets[i]));
    this.grads = new Float64Array(total);
    this.adam = new DenseAdam(this.shapes, settings.adam);
    this.learningRate = settings.learningRate ?? 0.001;
    this.l2 = settings.l2 ?? 0.001;

    this.ops = DenseOp.plan(settings.model, settings.inputDim, this.width, this.offsets);
    this.kernelRanges = [];
    let maxWidth = this.width;
    for (const o of this.ops) {
      if (o.dropout === undefined) this.kernelRanges.push(o.kernelAt, o.kernelAt + o.inDim * o.outDim);
      maxWidth = Math.max(maxWidth, o.outDim);
    }
    this.maxWidth = maxWidth;
    this.firstDropout = this.ops.findIndex((o) => o.dropout !== undefined);
  }

  get learningRate(): number {
    return this.lr;
  }

  set learningRate(value: number) {
    this.lr = nonNegative('learningRate', value);
  }

  get l2(): number {
    return this.l2Value;
  }

  set l2(value: number) {
    this.l2Value = nonNegative('l2', value);
  }

  get iterations(): number {
    return this.adam.iterations;
  }

  /** Preallocated buffers: parameters, gradients, Adam's moments, and the per-batch buffers. */
  get numTensors(): number {
    if (this.disposed) return 0;
    let count = 2 + this.adam.buffers; // params, grads + moments
    if (this.capacity > 0) {
      count += 5; // two delta buffers, step / train / predict outputs
      count += 2 * this.ops.length; // z and a, or mask and output, per layer
    }
    return count;
  }

  /**
   * One Adam step on a mini-batch (see Engine.step). The result object and its predictions are
   * reused by the next call: copy what you keep.
   */
  step(x: Float32Array, target: Float32Array, n: number): StepResult {
    this.checkBatch(x, n);
    if (target.length !== n) throw new ModelError(`step: target has ${target.length} values for ${n} rows`);
    this.reserve(n);
    const width = this.width;
    let out = this.stepOut;
    let from = 0;
    if (this.firstDropout >= 0) {
      // Scores in inference mode first; the training pass then reuses the layers before the
      // first dropout (no randomness there) and recomputes only from it on.
      losses.outputs(this.task, this.forward(x, n, false), n, width, out);
      out = this.trainOut;
      from = this.firstDropout;
    }
    const logits = this.forward(x, n, true, from);
    const dLogits = this.deltaA;
    const dataLoss = losses.lossAndGradient(this.task, logits, target, n, width, out, dLogits);

    this.backward(n);
    const sums = this.sums;
    penaltyAndNorm(this.params, this.grads, this.kernelRanges, this.l2Value, sums);
    const penalty = this.l2Value * sums[0]!;
    const gradNorm = Math.sqrt(sums[1]!);
    const loss = dataLoss + penalty;
    const applied = Number.isFinite(loss) && Number.isFinite(gradNorm);
    if (applied) {
      const clip = this.clipNorm;
      const scale = clip !== undefined && gradNorm > clip ? clip / gradNorm : 1;
      this.adam.apply(this.params, this.grads, scale, this.lr);
    }
    const result = this.result;
    result.loss = loss;
    result.dataLoss = dataLoss;
    result.gradNorm = gradNorm;
    result.applied = applied;
    if (this.stepView.length !== n * width) this.stepView = this.stepOut.subarray(0, n * width);
    result.predictions = this.stepView;
    return result;
  }

  /** Outputs for `n` rows in inference mode (dropout off), in a buffer reused by the next call. */
  predict(x: Float32Array, n: number): Float32Array {
    this.checkBatch(x, n);
    this.reserve(n);
    losses.outputs(this.task, this.forward(x, n, false), n, this.width, this.predictOut);
    if (this.predictView.length !== n * this.width) this.predictView = this.predictOut.subarray(0, n * this.width);
    return this.predictView;
  }

  /** The model weights (kernels and biases, layer by layer), copied. */
  getWeights(): WeightData[] {
    return this.shapes.map((shape, i) => {
      const from = this.offsets[i] as number;
      return { shape: [...shape], values: this.params.slice(from, from + size(shape)) };
    });
  }

  /** Overwrites the model weights with ones from `getWeights` (same architecture). */
  setWeights(weights: readonly WeightData[]): void {
    checkWeights(weights, this.shapes);
    weights.forEach((w, i) => this.params.set(w.values, this.offsets[i]));
  }

  get optimizerState(): AdamState {
    return this.adam.getState();
  }

  set optimizerState(state: AdamState) {
    this.adam.setState(state);
  }

  resetOptimizer(): void {
    this.adam.reset();
  }

  snapshot(): EngineSnapshot {
    return snapshotEngine(this);
  }

  restore(snapshot: EngineSnapshot): void {
    restoreEngine(this, snapshot);
  }

  /** Releases the per-batch buffers; the engine is not to be used afterwards. */
  dispose(): void {
    this.disposed = true;
    this.capacity = 0;
    for (const o of this.ops) o.release();
    this.deltaA = this.deltaB = new Float64Array(0);
    this.stepOut = this.trainOut = this.predictOut = this.stepView = this.predictView = EMPTY32;
  }

  /**
   * Runs the layers on n rows; returns the logits (the output layer's z). With `from` > 0 the
   * layers before it are taken as they are from the last pass on the same rows.
   */
  private forward(x: Float32Array, n: number, training: boolean, from = 0): Float32Array {
    const ops = this.ops;
    const params = this.params;
    let current = from === 0 ? x : ops[from - 1]!.a;
    for (let k = from; k < ops.length; k++) {
      const o = ops[k]!;
      o.input = current;
      if (o.dropout !== undefined) {
        o.masked = training;
        if (training) current = o.dropout.forward(current, n * o.outDim);
        continue;
      }
      denseForward(current, n, o.inDim, o.outDim, params, o.kernelAt, o.biasAt, o.z);
      if (k === ops.length - 1) return o.z;
      activations.forward(o.activation, o.z, o.a, n * o.outDim);
      current = o.a;
    }
    throw new ModelError('dense engine: the network has no output layer');
  }

  /** Backpropagates deltaA (dLoss/dlogits) through the layers of the last forward pass into grads. */
  private backward(n: number): void {
    const ops = this.ops;
    let d = this.deltaA;
    let spare = this.deltaB;
    for (let k = ops.length - 1; k >= 0; k--) {
      const o = ops[k]!;
      if (o.dropout !== undefined) {
        if (o.masked && o.needsInputGrad) o.dropout.backward(d, n * o.outDim);
        continue;
      }
      if (k < ops.length - 1) activations.backward(o.activation, o.z, o.a, d, n * o.outDim);
      const dInput = o.needsInputGrad ? spare : undefined;
      denseBackward(o.input, d, n, o.inDim, o.outDim, this.params, o.kernelAt, o.biasAt, this.grads, dInput);
      if (dInput === undefined) return;
      spare = d;
      d = dInput;
    }
  }

  /** Grows the per-batch buffers to hold n rows (never shrinks them). */
  private reserve(n: number): void {
    if (this.disposed) throw new ModelError('dense engine: used after dispose(); build a new engine');
    if (n <= this.capacity) return;
    this.capacity = n;
    for (const o of this.ops) o.resize(n);
    this.deltaA = new Float64Array(n * this.maxWidth);
    this.deltaB = new Float64Array(n * this.maxWidth);
    this.stepOut = new Float32Array(n * this.width);
    this.trainOut = new Float32Array(n * this.width);
    this.predictOut = new Float32Array(n * this.width);
    this.stepView = this.predictView = EMPTY32;
  }

  private checkBatch(x: Float32Array, n: number): void {
    if (!(Number.isInteger(n) && n > 0)) throw new ModelError(`batch size must be a positive integer, got ${n}`);
    if (x.length !== n * this.inputDim) {
      throw new ModelError(`batch x has ${x.length} values, ${n} rows of ${this.inputDim} features need ${n * this.inputDim}`);
    }
  }
}

function size(shape: readonly number[]): number {
  let s = 1;
  for (const d of shape) s *= d;
  return s;
}
