import * as tf from '@tensorflow/tfjs';
import { ModelError } from '../errors.js';
import { nonNegative } from './nonNegative.js';
import { resolveAdamSettings, type AdamSettings, type AdamState } from './AdamSettings.js';

export { DEFAULT_ADAM, type AdamSettings, type AdamSlot, type AdamState } from './AdamSettings.js';

interface Moments {
  readonly m: tf.Variable;
  readonly v: tf.Variable;
  readonly vhat?: tf.Variable;
}

/**
 * Adam (optionally AMSGrad) with a learning rate that can be set between steps.
 * The update is tf.train.adam's: with m̂ = m/(1-β1^t) and v̂ = v/(1-β2^t),
 * `var -= lr * m̂ / (sqrt(v̂) + ε)`; AMSGrad uses vhat = max(vhat, v) in place of v.
 * Moments are created on the first `apply`, shaped like the variables.
 *
 * @example
 * const adam = new Adam(0.01, { amsgrad: true });
 * tf.tidy(() => adam.apply([w], [tf.grad((w) => w.square().sum())(w)]));
 * adam.learningRate = 0.001;
 */
export class Adam {
  readonly settings: AdamSettings;
  private lr = 0;
  private t = 0;
  private moments: Moments[] | undefined;

  constructor(learningRate: number, settings: Partial<AdamSettings> = {}) {
    this.settings = resolveAdamSettings(settings);
    this.learningRate = learningRate;
  }

  get learningRate(): number {
    return this.lr;
  }

  set learningRate(value: number) {
    this.lr = nonNegative('learningRate', value);
  }

  /** Number of updates applied so far. */
  get iterations(): number {
    return this.t;
  }

  /** Settings as plain data, TF.js style. */
  getConfig(): AdamSettings & { learningRate: number } {
    return { ...this.settings, learningRate: this.lr };
  }

  /** Applies one update: `grads[i]` is the gradient of the loss with respect to `vars[i]`. */
  apply(vars: readonly tf.Variable[], grads: readonly tf.Tensor[]): void {
    if (vars.length !== grads.length) {
      throw new ModelError(`adam: ${vars.length} variables but ${grads.length} gradients`);
    }
    const moments = this.momentsFor(vars);
    const { beta1, beta2, epsilon, amsgrad } = this.settings;
    const t = this.t + 1;
    const c1 = 1 - beta1 ** t;
    const c2 = 1 - beta2 ** t;
    tf.tidy(() => {
      vars.forEach((variable, i) => {
        const g = grads[i] as tf.Tensor;
        const { m, v, vhat } = moments[i] as Moments;
        const m1 = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1));
        const v1 = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2));
        m.assign(m1);
        v.assign(v1);
        let second = v1;
        if (amsgrad && vhat) {
          second = tf.maximum(vhat, v1);
          vhat.assign(second);
        }
        const step = tf.div(tf.div(m1, c1), tf.add(tf.sqrt(tf.div(second, c2)), epsilon));
        variable.assign(tf.add(tf.mul(step, -this.lr), variable));
      });
    });
    this.t = t;
  }

  /** Forgets the moments and the step count (the next `apply` starts fresh). */
  resetMoments(): void {
    this.disposeMoments();
    this.t = 0;
  }

  /** The learned state as plain numbers. */
  getWeights(): AdamState {
    const read = (x: tf.Variable): number[] => Array.from(x.dataSync());
    return {
      t: this.t,
      slots: (this.moments ?? []).map(({ m, v, vhat }) => ({
        shape: [...m.shape],
        m: read(m),
        v: read(v),
        ...(vhat ? { vhat: read(vhat) } : {}),
      })),
    };
  }

  /** Restores a state from `getWeights` (an empty slot list means "no moments yet"). */
  setWeights(state: AdamState): void {
    if (!(Number.isInteger(state.t) && state.t >= 0)) throw new ModelError(`adam state: bad step count ${state.t}`);
    const { amsgrad } = this.settings;
    state.slots.forEach((slot, i) => {
      const size = slot.shape.reduce((a, b) => a * b, 1);
      const keys: readonly ('m' | 'v' | 'vhat')[] = amsgrad ? ['m', 'v', 'vhat'] : ['m', 'v'];
      for (const key of keys) {
        const values = slot[key];
        if (values?.length !== size) {
          throw new ModelError(`adam state: slot ${i} ${key} has ${values?.length ?? 0} values, shape [${slot.shape}] needs ${size}`);
        }
      }
    });
    const variable = (values: number[], shape: number[]): tf.Variable =>
      tf.tidy(() => tf.variable(tf.tensor(values, shape, 'float32'), false));
    const fresh = state.slots.map((slot) => ({
      m: variable(slot.m, slot.shape),
      v: variable(slot.v, slot.shape),
      ...(amsgrad ? { vhat: variable(slot.vhat ?? [], slot.shape) } : {}),
    }));
    this.disposeMoments();
    this.moments = fresh.length > 0 ? fresh : undefined;
    this.t = state.t;
  }

  /** Releases the moment tensors. */
  dispose(): void {
    this.disposeMoments();
  }

  private momentsFor(vars: readonly tf.Variable[]): Moments[] {
    if (this.moments === undefined) {
      const zeros = (x: tf.Variable): tf.Variable => tf.tidy(() => tf.variable(tf.zerosLike(x), false));
      this.moments = vars.map((x) => ({
        m: zeros(x),
        v: zeros(x),
        ...(this.settings.amsgrad ? { vhat: zeros(x) } : {}),
      }));
    }
    const moments = this.moments;
    const mismatch = vars.findIndex(
      (x, i) => moments[i] === undefined || !tf.util.arraysEqual(x.shape, (moments[i] as Moments).m.shape),
    );
    if (mismatch >= 0 || moments.length !== vars.length) {
      throw new ModelError(
        `adam: the optimizer state holds ${moments.length} slots that do not match the ${vars.length} variables given` +
          (mismatch >= 0 ? ` (variable ${mismatch} has shape [${vars[mismatch]?.shape}])` : ''),
      );
    }
    return moments;
  }

  private disposeMoments(): void {
    for (const { m, v, vhat } of this.moments ?? []) {
      m.dispose();
      v.dispose();
      vhat?.dispose();
    }
    this.moments = undefined;
  }
}
