import type { Config } from '../config.js';
import { ControlError } from '../errors.js';

/** The range an operator's `set` may move a hyperparameter in: [min, max]. */
export interface ControlBounds {
  readonly learningRate: readonly [number, number];
  readonly l2: readonly [number, number];
}

/**
 * The tuner's bounds as `set` applies them: the population's ranges (`tuning.population.learningRate`,
 * `.l2`) tightened by the global `tuning.minLr`, `maxLr`, `minL2`, `maxL2` when set.
 *
 * @example
 * controlBounds(config); // { learningRate: [0.0001, 0.05], l2: [0, 0.01] } with the defaults
 */
export function controlBounds(config: Pick<Config, 'tuning'>): ControlBounds {
  const { minLr, maxLr, minL2, maxL2, population } = config.tuning;
  return {
    learningRate: [Math.max(minLr ?? 0, population.learningRate[0]), Math.min(maxLr ?? Infinity, population.learningRate[1])],
    l2: [Math.max(minL2 ?? 0, population.l2[0]), Math.min(maxL2 ?? Infinity, population.l2[1])],
  };
}

/**
 * Throws a {@link ControlError} naming the field when a `set` value lies outside its bounds.
 *
 * @example
 * checkBounds({ learningRate: 0.5 }, controlBounds(config)); // throws: "learningRate" must be within [0.0001, 0.05] ...
 */
export function checkBounds(values: { readonly learningRate?: number; readonly l2?: number }, bounds: ControlBounds): void {
  for (const key of ['learningRate', 'l2'] as const) {
    const value = values[key];
    const [lo, hi] = bounds[key];
    if (value !== undefined && !(value >= lo && value <= hi)) {
      throw new ControlError(
        `"${key}" must be within the tuner's bounds [${lo}, ${hi}] (tuning.${key === 'l2' ? 'minL2/maxL2' : 'minLr/maxLr'} and tuning.population.${key}), got ${value}`,
        { field: key },
      );
    }
  }
}
