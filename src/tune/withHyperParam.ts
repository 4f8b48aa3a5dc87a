import type { HyperParams } from '../types.js';

/**
 * `hp` with one hyperparameter set: `hp` itself when the value is unchanged (so callers can tell
 * "no change" by identity), else a copy.
 *
 * @example
 * withHyperParam({ learningRate: 1e-3, l2: 0 }, 'l2', 1e-4); // { learningRate: 1e-3, l2: 1e-4 }
 */
export function withHyperParam(hp: HyperParams, key: keyof HyperParams, value: number): HyperParams {
  return hp[key] === value ? hp : { ...hp, [key]: value };
}
