import { ModelError } from '../errors.js';

/** Adam's fixed settings (the learning rate is not one: it changes at runtime). */
export interface AdamSettings {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** Use the running maximum of the second moment (Reddi et al., 2018). */
  readonly amsgrad: boolean;
}

/** The moments of one variable, as plain numbers. `vhat` only with AMSGrad. */
export interface AdamSlot {
  readonly shape: number[];
  readonly m: number[];
  readonly v: number[];
  readonly vhat?: number[];
}

/** Adam's learned state: the step count and one slot per variable (JSON-serializable). */
export interface AdamState {
  readonly t: number;
  readonly slots: AdamSlot[];
}

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

/** Adam's defaults: β1 0.9, β2 0.999, ε 1e-7 (TF.js's), no AMSGrad. */
export const DEFAULT_ADAM: AdamSettings = resolveAdamSettings();
