import { ModelError } from '../errors.js';

/**
 * `value` when it is a finite number >= 0 (a learning rate, an L2 coefficient), else a
 * ModelError naming the setting: the one check behind every engine's runtime setters.
 *
 * @example
 * this.lr = nonNegative('learningRate', value);
 * nonNegative('l2', -1); // ModelError: l2 must be a finite number >= 0, got -1
 */
export function nonNegative(name: string, value: number): number {
  if (!(Number.isFinite(value) && value >= 0)) throw new ModelError(`${name} must be a finite number >= 0, got ${value}`);
  return value;
}
