import type { Task } from '../types.js';
import type { AdamSettings } from './AdamSettings.js';
import type { ModelSpec } from './ModelSpec.js';

/**
 * What every engine is built from: the task, the input width, the model spec and the optimizer.
 *
 * @example
 * const settings: EngineSettings = { task: 'binary', classes: 2, inputDim: 8, model: { layers: [], seed: 1 } };
 * createEngine('dense', settings);
 */
export interface EngineSettings {
  readonly task: Task;
  /** Number of classes (multiclass; 2 for binary). */
  readonly classes: number;
  readonly inputDim: number;
  readonly model: ModelSpec;
  readonly adam?: Partial<AdamSettings>;
  /** Initial learning rate (default 0.001); changeable through `learningRate`. */
  readonly learningRate?: number;
  /** Initial L2 coefficient on dense kernels (default 0.001); changeable through `l2`. */
  readonly l2?: number;
  /** Clip the gradients to this global norm before the update. */
  readonly clipNorm?: number;
}
