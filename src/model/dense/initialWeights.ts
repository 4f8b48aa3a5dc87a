import { buildModel, type ModelShape } from '../build.js';
import type { WeightData } from '../Engine.js';
import type { ModelSpec } from '../ModelSpec.js';

/**
 * The weights TF.js's initializers give the model of `spec` (kernels and biases, layer by layer):
 * the model is built once with the same seeds, read, and released, so that the dense engine
 * starts exactly where the TF.js engine does. Validates the spec as `buildModel` does.
 *
 * @example
 * const [kernel, bias] = initialWeights({ layers: [], seed: 1 }, { task: 'binary', inputDim: 2, classes: 2 });
 * kernel.shape; // [2, 1]
 */
export function initialWeights(spec: ModelSpec, shape: ModelShape): WeightData[] {
  const model = buildModel(spec, shape);
  try {
    return model.trainableWeights.map((w) => {
      const value = w.read();
      return { shape: [...value.shape], values: Float32Array.from(value.dataSync()) };
    });
  } finally {
    model.dispose();
  }
}
