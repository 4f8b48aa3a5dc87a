import { map, type OperatorFunction } from 'rxjs';
import type { Lags } from '../src/records/Lags.js';
import type { Sample } from '../src/types.js';

/**
 * Appends temporal features to each sample: the previous labels and chosen feature values of the
 * same entity, from `lags` (whose state the caller checkpoints). Samples pass unchanged when no
 * lag is configured.
 *
 * @example
 * samples$.pipe(lag(new Lags({ label: [1, 2], features: {} }, schema)), route(...))
 * // x: [...features, label one record back, label two records back]
 */
export function lag(lags: Pick<Lags, 'augment' | 'size'>): OperatorFunction<Sample, Sample> {
  return (source) => (lags.size === 0 ? source : source.pipe(map((sample) => lags.augment(sample))));
}
