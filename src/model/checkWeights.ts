import { ModelError } from '../errors.js';
import type { WeightData } from './Engine.js';

/**
 * Checks that `weights` fit a model with these weight shapes (count, shape and length of each),
 * naming the first misfit; every engine's `setWeights` calls it before writing anything.
 *
 * @example
 * checkWeights([{ shape: [8, 1], values }], [[8, 1]]); // ok
 * checkWeights([{ shape: [4, 1], values }], [[8, 1]]); // ModelError: setWeights: tensor 0 has shape [4,1], the model needs [8,1]
 */
export function checkWeights(weights: readonly WeightData[], shapes: readonly (readonly number[])[]): void {
  if (weights.length !== shapes.length) {
    throw new ModelError(`setWeights: got ${weights.length} tensors, the model has ${shapes.length}`);
  }
  weights.forEach((w, i) => {
    const shape = shapes[i] as readonly number[];
    const same = w.shape.length === shape.length && w.shape.every((d, k) => d === shape[k]);
    if (!same || w.values.length !== shape.reduce((a, d) => a * d, 1)) {
      throw new ModelError(`setWeights: tensor ${i} has shape [${w.shape}], the model needs [${shape}]`);
    }
  });
}
