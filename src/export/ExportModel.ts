import type { Activation } from '../model/ModelSpec.js';
import type { Task } from '../types.js';

/**
 * What a caller must do to raw features before the network, and how to read its output: the
 * running standardization frozen at export time. Written as `preprocessing.json` beside a tfjs
 * model; built into the graph of an ONNX model.
 *
 * For feature i: `z = scales[i] > 0 ? (x - means[i]) / scales[i] : 0`, then clipped to ±clip
 * when `clip` is set (a scale of 0 is a feature whose deviation was below the trainer's floor).
 *
 * @example
 * const p: Preprocessing = {
 *   features: ['a', 'b'], means: [0.5, 2], scales: [0.1, 0], clip: 5,
 *   label: { name: 'y', task: 'binary', classes: 2, values: [0, 1] }, target: null,
 * };
 */
export interface Preprocessing {
  /** Feature names in model input order (lagged columns such as `class@1` included). */
  readonly features: readonly string[];
  readonly means: readonly number[];
  /** Standard deviations; 0 where the feature maps to 0. */
  readonly scales: readonly number[];
  /** Maximum |z|, or null for no clipping. */
  readonly clip: number | null;
  /** The label: its name, task, and the class ids an output column stands for (classification). */
  readonly label: {
    readonly name: string;
    readonly task: Task;
    readonly classes: number;
    /** binary: [0, 1] (the output is P(label = 1)); multiclass: output column k is class k; regression: []. */
    readonly values: readonly number[];
  };
  /** Regression: the network's output times `scale` plus `shift` is the prediction in the label's units; null otherwise. */
  readonly target: { readonly scale: number; readonly shift: number } | null;
}

/** A hidden dense layer of an exported model (dropout is left out: it does nothing at inference). */
export interface ExportLayer {
  readonly units: number;
  readonly activation: Activation;
}

/**
 * Everything an exporter writes: the network (hidden dense layers, then the task's output layer:
 * sigmoid for binary, softmax for multiclass, linear for regression), its weights (kernel
 * `[in, out]` row-major, then bias, per dense layer, output layer last) and its preprocessing.
 *
 * @example
 * const model = exportModelFromCheckpoint(loaded.checkpoint);
 * writeOnnx(model); // bytes of model.onnx
 */
export interface ExportModel {
  readonly task: Task;
  readonly classes: number;
  readonly layers: readonly ExportLayer[];
  readonly weights: ReadonlyArray<{ readonly shape: readonly number[]; readonly values: Float32Array }>;
  readonly preprocessing: Preprocessing;
  /** Model version: Adam updates applied to the weights so far. */
  readonly version: number;
  /** Records the model had learned from (trained, not holdout). */
  readonly records: number;
}
