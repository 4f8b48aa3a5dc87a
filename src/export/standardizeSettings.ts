import type { Standardizer } from '../stats/Standardizer.js';

/** The scaler settings an export needs that its snapshot does not hold. */
export interface StandardizeSettings {
  /** Maximum |z|, or null for none. */
  readonly clip: number | null;
  /** Standard deviations below this map the feature to 0. */
  readonly minStd: number;
}

/**
 * A checkpoint part holding the scaler's clip and floor (`state.standardize`), so `streamtune
 * export` rebuilds the exact standardization from the checkpoint alone. Restoring it does nothing:
 * the configuration sets them.
 *
 * @example
 * takeCheckpoint({ ...parts, extra: { standardize: standardizeSettings(parts.scaler) } }, summary, positions);
 */
export function standardizeSettings(scaler: Pick<Standardizer, 'settings'>): { snapshot(): StandardizeSettings; restore(): void } {
  return {
    snapshot: () => ({ clip: scaler.settings.clip ?? null, minStd: scaler.settings.minStd }),
    restore: () => undefined,
  };
}
