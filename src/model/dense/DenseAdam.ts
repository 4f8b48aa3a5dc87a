import { ModelError } from '../../errors.js';
import { resolveAdamSettings, type AdamSettings, type AdamSlot, type AdamState } from '../AdamSettings.js';

/**
 * Adam (optionally AMSGrad) over one flat Float32Array of parameters, with the update of
 * src/model/Adam.ts (tf.train.adam's): with m̂ = m/(1-β1^t) and v̂ = v/(1-β2^t),
 * `p -= lr * m̂ / (sqrt(v̂) + ε)`; AMSGrad uses vhat = max(vhat, v) in place of v. The state
 * reads and writes as the same `AdamState` JSON, one slot per tensor of `shapes`.
 *
 * @example
 * const adam = new DenseAdam([[2, 1], [1]], { amsgrad: true });
 * adam.apply(params, grads, 1, 0.001); // grads scaled by 1 (or a clipping factor)
 */
export class DenseAdam {
  readonly settings: AdamSettings;
  /** Number of buffers held (m, v and, with AMSGrad, vhat). */
  readonly buffers: number;
  private readonly shapes: readonly (readonly number[])[];
  private readonly offsets: readonly number[];
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private readonly vhat: Float32Array;
  private t = 0;
  /** False until the first update (or after a reset): the moments read as an empty slot list. */
  private started = false;

  constructor(shapes: readonly (readonly number[])[], settings: Partial<AdamSettings> = {}) {
    this.settings = resolveAdamSettings(settings);
    this.shapes = shapes;
    const offsets: number[] = [];
    let total = 0;
    for (const shape of shapes) {
      offsets.push(total);
      total += sizeOf(shape);
    }
    this.offsets = offsets;
    this.m = new Float32Array(total);
    this.v = new Float32Array(total);
    this.vhat = new Float32Array(this.settings.amsgrad ? total : 0);
    this.buffers = this.settings.amsgrad ? 3 : 2;
  }

  /** Number of updates applied so far. */
  get iterations(): number {
    return this.t;
  }

  /** One update of `params` with `scale * grads` at learning rate `lr`. */
  apply(params: Float32Array, grads: Float64Array, scale: number, lr: number): void {
    // TF.js holds these constants as float32 scalars; so do we, for parity.
    const f = Math.fround;
    const { amsgrad } = this.settings;
    const beta1 = f(this.settings.beta1);
    const beta2 = f(this.settings.beta2);
    const epsilon = f(this.settings.epsilon);
    const m = this.m;
    const v = this.v;
    const vhat = this.vhat;
    if (!this.started) {
      m.fill(0);
      v.fill(0);
      vhat.fill(0);
      this.started = true;
    }
    const t = this.t + 1;
    const c1 = f(1 - this.settings.beta1 ** t);
    const c2 = f(1 - this.settings.beta2 ** t);
    const oneMinusBeta1 = f(1 - this.settings.beta1);
    const oneMinusBeta2 = f(1 - this.settings.beta2);
    // lr * m̂ / (sqrt(v̂) + ε) with the divisions by the bias corrections hoisted out of the loop.
    const stepSize = f(lr) / c1;
    const invC2 = 1 / c2;
    const factor = f(scale);
    const length = params.length;
    if (amsgrad) {
      for (let i = 0; i < length; i++) {
        const g = grads[i]! * factor;
        const m1 = m[i]! * beta1 + g * oneMinusBeta1;
        const v1 = v[i]! * beta2 + g * g * oneMinusBeta2;
        m[i] = m1;
        v[i] = v1;
        const h = vhat[i]!;
        const second = h > v1 ? h : v1;
        vhat[i] = second;
        params[i] = params[i]! - (stepSize * m1) / (Math.sqrt(second * invC2) + epsilon);
      }
    } else {
      for (let i = 0; i < length; i++) {
        const g = grads[i]! * factor;
        const m1 = m[i]! * beta1 + g * oneMinusBeta1;
        const v1 = v[i]! * beta2 + g * g * oneMinusBeta2;
        m[i] = m1;
        v[i] = v1;
        params[i] = params[i]! - (stepSize * m1) / (Math.sqrt(v1 * invC2) + epsilon);
      }
    }
    this.t = t;
  }

  /** Forgets the moments and the step count (the next `apply` starts fresh). */
  reset(): void {
    this.started = false;
    this.t = 0;
  }

  /** The learned state as plain numbers (no slots before the first update, as Adam.ts). */
  getState(): AdamState {
    const slots: AdamSlot[] = [];
    if (this.started) {
      this.shapes.forEach((shape, i) => {
        const from = this.offsets[i] as number;
        const to = from + sizeOf(shape);
        slots.push({
          shape: [...shape],
          m: Array.from(this.m.subarray(from, to)),
          v: Array.from(this.v.subarray(from, to)),
          ...(this.settings.amsgrad ? { vhat: Array.from(this.vhat.subarray(from, to)) } : {}),
        });
      });
    }
    return { t: this.t, slots };
  }

  /** Restores a state from `getState` (or Adam.ts's `getWeights`); an empty slot list means "no moments yet". */
  setState(state: AdamState): void {
    if (!(Number.isInteger(state.t) && state.t >= 0)) throw new ModelError(`adam state: bad step count ${state.t}`);
    const { amsgrad } = this.settings;
    if (state.slots.length > 0 && state.slots.length !== this.shapes.length) {
      throw new ModelError(`adam state: ${state.slots.length} slots, the model has ${this.shapes.length} tensors; restore a state saved from this model`);
    }
    state.slots.forEach((slot, i) => {
      const shape = this.shapes[i] as readonly number[];
      if (slot.shape.length !== shape.length || slot.shape.some((d, k) => d !== shape[k])) {
        throw new ModelError(`adam state: slot ${i} has shape [${slot.shape}], the model needs [${shape}]`);
      }
      const size = sizeOf(shape);
      const keys: readonly ('m' | 'v' | 'vhat')[] = amsgrad ? ['m', 'v', 'vhat'] : ['m', 'v'];
      for (const key of keys) {
        const values = slot[key];
        if (values?.length !== size) {
          throw new ModelError(`adam state: slot ${i} ${key} has ${values?.length ?? 0} values, shape [${slot.shape}] needs ${size}`);
        }
      }
    });
    state.slots.forEach((slot, i) => {
      const offset = this.offsets[i] as number;
      this.m.set(slot.m, offset);
      this.v.set(slot.v, offset);
      if (amsgrad) this.vhat.set(slot.vhat ?? [], offset);
    });
    this.started = state.slots.length > 0;
    this.t = state.t;
  }
}

function sizeOf(shape: readonly number[]): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}
