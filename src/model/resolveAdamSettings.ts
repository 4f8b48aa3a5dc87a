import { ModelError } from '../errors.js';
import type { AdamSettings } from './Adam.js';

/**
 * Adam's settings with the defaults filled in, checked: β1 and β2 in [0, 1), ε > 0.
 *
 * @example
 * resolveAdamSettings({ amsgrad: true }); // { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, amsgrad: true }
 */
export function resolveAdamSettings(settings: Partial<AdamSettings> = {}): AdamSettings {
  const resolved: AdamSettings = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, amsgrad: false, ...settings };
  const { beta1, beta2, epsilon } = resolved;
  if (!(beta1 >= 0 && beta1 < 1)) throw new ModelError(`adam.beta1 must be in [0, 1), got ${beta1}`);
  if (!(beta2 >= 0 && beta2 < 1)) throw new ModelError(`adam.beta2 must be in [0, 1), got ${beta2}`);
  if (!(epsilon > 0)) throw new ModelError(`adam.epsilon must be > 0, got ${epsilon}`);
  return resolved;
}
