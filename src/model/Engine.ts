import type { Task } from '../types.js';
import type { AdamState } from './AdamSettings.js';

/** Which implementation computes the model: Float32Array loops, or TF.js tensors. */
export type EngineKind = 'dense' | 'tfjs';

/** What one training step did. */
export interface StepResult {
  /** Data loss + L2 term, before the update. */
  readonly loss: number;
  readonly dataLoss: number;
  /** Global norm of the gradient (before clipping). */
  readonly gradNorm: number;
  /**
   * `n * width` outputs of the model as it stood before the update, in inference mode (no
   * dropout noise): what a served model would have said for these rows (the prequential score).
   */
  readonly predictions: Float32Array;
  /** False when the loss or the gradient was not finite and the weights were left untouched. */
  readonly applied: boolean;
}

/** One weight tensor as plain data (row-major; a dense kernel is `[inputs, units]`). */
export interface WeightData {
  readonly shape: number[];
  readonly values: Float32Array;
}

/** An engine's learned state (weights and optimizer) as JSON; the same format for every engine. */
export interface EngineSnapshot {
  readonly weights: { shape: number[]; values: number[] }[];
  readonly optimizer: AdamState;
}

/**
 * The model as the rest of the system sees it: one Adam step per mini-batch on the task's loss
 * plus `l2 * Σ kernel²`, with the learning rate and the L2 coefficient changeable between steps,
 * a guard that skips non-finite steps, and state in and out as plain data. Callers see
 * Float32Array and numbers only; snapshots of one engine restore into the other.
 *
 * @example
 * const engine: Engine = createEngine(settings); // dense or tfjs
 * const { predictions } = engine.step(x, y, n); // scores before the update, then one Adam step
 * engine.learningRate = 0.0005;
 */
export interface Engine {
  readonly kind: EngineKind;
  readonly task: Task;
  readonly classes: number;
  readonly inputDim: number;
  /** Width of one prediction row: 1, or the number of classes. */
  readonly width: number;
  learningRate: number;
  l2: number;
  /** Number of updates applied so far. */
  readonly iterations: number;
  /** Live tensors (tfjs) or preallocated buffers (dense): a gauge that must stay flat. */
  readonly numTensors: number;
  /**
   * One Adam step on a mini-batch. `x` holds `n * inputDim` standardized features row-major;
   * `target` holds n values: 0/1 (binary), class ids (multiclass) or the (scaled) target (regression).
   * The returned result and its arrays may be reused by the next call: copy what you keep.
   */
  step(x: Float32Array, target: Float32Array, n: number): StepResult;
  /** Outputs for `n` rows in inference mode: P(y=1), the value, or class probabilities. May be reused by the next call. */
  predict(x: Float32Array, n: number): Float32Array;
  getWeights(): WeightData[];
  setWeights(weights: readonly WeightData[]): void;
  optimizerState: AdamState;
  /** Forgets Adam's moments (e.g. after a drift) without touching the weights. */
  resetOptimizer(): void;
  snapshot(): EngineSnapshot;
  restore(snapshot: EngineSnapshot): void;
  dispose(): void;
}
