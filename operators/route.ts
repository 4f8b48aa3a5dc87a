import { map, type OperatorFunction } from 'rxjs';
import { ConfigError } from '../src/errors.js';
import { hashUnit } from '../src/records/hashKey.js';
import type { RoutedSample, Sample } from '../src/types.js';

/** Settings of {@link route}. */
export interface RouteOptions {
  /** Fraction of keys sent to the holdout, in [0, 1]: 0 trains on everything, 1 holds out everything. */
  readonly validationSplit: number;
  /** Hash seed: a different seed draws a different (equally sized) holdout. Default 0. */
  readonly seed?: number;
}

/**
 * Tags each sample `train` or `holdout` by a hash of its key (its index when it has none): holdout
 * iff `hashUnit(key, seed) < validationSplit`. Stateless, so the same key always lands on the same side.
 *
 * @example
 * samples$.pipe(route({ validationSplit: 0.2 })); // about 20% of keys become 'holdout'
 */
export function route(options: RouteOptions): OperatorFunction<Sample, RoutedSample> {
  const { validationSplit, seed = 0 } = options;
  if (!(validationSplit >= 0 && validationSplit <= 1)) {
    throw new ConfigError(`route: "validationSplit" must be in [0, 1], got ${validationSplit}`);
  }
  if (!Number.isInteger(seed)) {
    throw new ConfigError(`route: "seed" must be an integer, got ${seed}`);
  }
  // Nothing to hash when everything goes one way; fields listed, not spread (one hidden class, per record).
  const splitOf = (sample: Sample): RoutedSample['split'] =>
    validationSplit === 0 ? 'train' : validationSplit === 1 ? 'holdout' : hashUnit(sample.key ?? String(sample.index), seed) < validationSplit ? 'holdout' : 'train';
  return map((sample) => ({
    index: sample.index,
    position: sample.position,
    key: sample.key,
    x: sample.x,
    y: sample.y,
    time: sample.time,
    split: splitOf(sample),
  }));
}
