import { ModelError } from '../errors.js';
import { DenseEngine } from './dense/DenseEngine.js';
import type { Engine, EngineKind } from './Engine.js';
import type { EngineSettings } from './EngineSettings.js';
import { Trainer } from './Trainer.js';

/**
 * Builds the engine of the given kind: `dense` (Float32Array loops) or `tfjs` (TF.js tensors on
 * the active backend; select it first with `selectBackend`). Both start from the same weights.
 *
 * @example
 * const engine = createEngine(chooseEngine({ nativeBackend: false, hiddenUnits: [64], batchSize: 32, inputDim: 8 }), settings);
 */
export function createEngine(kind: EngineKind, settings: EngineSettings): Engine {
  switch (kind) {
    case 'dense':
      return new DenseEngine(settings);
    case 'tfjs':
      return new Trainer(settings);
    default:
      throw new ModelError(`engine must be "dense" or "tfjs", got "${String(kind)}"`);
  }
}
