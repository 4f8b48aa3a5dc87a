import type { EngineKind } from './Engine.js';

/** What `engine: auto` decides by. */
export interface EngineChoiceInput {
  /** A native TensorFlow backend (tfjs-node, tfjs-node-gpu) is active. */
  readonly nativeBackend: boolean;
  /** Units of each hidden dense layer. */
  readonly hiddenUnits: readonly number[];
  /** Records per Adam step. */
  readonly batchSize: number;
  readonly inputDim: number;
}

/**
 * Picks the engine for `engine: auto`: dense everywhere the wasm/cpu TF.js backends were measured
 * slower; tfjs with a native TensorFlow backend for models large enough to amortize its per-call
 * cost. (Placeholder rule until the crossover measurement lands.)
 *
 * @example
 * chooseEngine({ nativeBackend: false, hiddenUnits: [64], batchSize: 32, inputDim: 8 }); // 'dense'
 */
export function chooseEngine(input: EngineChoiceInput): EngineKind {
  const widest = Math.max(input.inputDim, ...input.hiddenUnits);
  return input.nativeBackend && widest * input.batchSize >= 256 * 128 ? 'tfjs' : 'dense';
}
