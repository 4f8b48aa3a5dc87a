import type { Activation } from '../ModelSpec.js';

// TF.js's constants and formulas (tfjs-core selu_util/erf_util, the cpu kernels and the gradients
// autodiff gives for tfjs-layers' activations), so that both engines compute the same function.
const SELU_SCALE = 1.0507009873554805;
const SELU_SCALE_ALPHA = 1.7580993408473768;
const ERF_P = 0.3275911;
const ERF_A1 = 0.254829592;
const ERF_A2 = -0.284496736;
const ERF_A3 = 1.421413741;
const ERF_A4 = -1.453152027;
const ERF_A5 = 1.061405429;
const SQRT2 = Math.SQRT2;
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
/** log(2^-23) + 2: where TF.js's softplus switches to exp(x) (below) or x (above minus it). */
const SOFTPLUS_THRESHOLD = Math.log(1.1920928955078125e-7) + 2;

/** The activations by number, for a switch in the hot loops (no closures). */
const CODES: Record<Activation, number> = {
  linear: 0,
  relu: 1,
  relu6: 2,
  elu: 3,
  selu: 4,
  tanh: 5,
  sigmoid: 6,
  hardSigmoid: 7,
  softplus: 8,
  softsign: 9,
  swish: 10,
  mish: 11,
  gelu: 12,
};

/**
 * Element-wise activations of a hidden dense layer, as TF.js defines them, with their derivatives:
 * `forward` maps pre-activations `z` to outputs `a`; `backward` multiplies the gradient `g` with
 * respect to `a` by da/dz in place (from `z` or `a`, whichever TF.js's gradient uses).
 *
 * @example
 * const code = activations.code('gelu');
 * activations.forward(code, z, a, n * units);
 * activations.backward(code, z, a, g, n * units); // g: dLoss/da -> dLoss/dz
 */
export const activations = { code, forward, backward } as const;

function code(name: Activation): number {
  return CODES[name];
}

function softplus(x: number): number {
  if (x < SOFTPLUS_THRESHOLD) return Math.exp(x);
  if (x > -SOFTPLUS_THRESHOLD) return x;
  return Math.log(1 + Math.exp(x));
}

function erf(x: number): number {
  const v = Math.abs(x);
  const t = 1 / (1 + ERF_P * v);
  return Math.sign(x) * (1 - ((((ERF_A5 * t + ERF_A4) * t + ERF_A3) * t + ERF_A2) * t + ERF_A1) * t * Math.exp(-v * v));
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function forward(kind: number, z: Float32Array, a: Float32Array, length: number): void {
  switch (kind) {
    case 0:
      for (let i = 0; i < length; i++) a[i] = z[i]!;
      return;
    case 1:
      for (let i = 0; i < length; i++) {
        const x = z[i]!;
        a[i] = x < 0 ? 0 : x;
      }
      return;
    case 2:
      for (let i = 0; i < length; i++) {
        const x = z[i]!;
        a[i] = x < 0 ? 0 : x > 6 ? 6 : x;
      }
      return;
    case 3:
      for (let i = 0; i < length; i++) {
        const x = z[i]!;
        a[i] = x >= 0 ? x : Math.exp(x) - 1;
      }
      return;
    case 4:
      for (let i = 0; i < length; i++) {
        const x = z[i]!;
        a[i] = x >= 0 ? SELU_SCALE * x : SELU_SCALE_ALPHA * (Math.exp(x) - 1);
      }
      return;
    case 5:
      for (let i = 0; i < length; i++) a[i] = Math.tanh(z[i]!);
      return;
    case 6:
      for (let i = 0; i < length; i++) a[i] = sigmoid(z[i]!);
      return;
    case 7:
      for (let i = 0; i < length; i++) {
        const y = Math.fround(0.5 + Math.fround(0.2 * z[i]!));
        a[i] = y < 0 ? 0 : y > 1 ? 1 : y;
      }
      return;
    case 8:
      for (let i = 0; i < length; i++) a[i] = softplus(z[i]!);
      return;
    case 9:
      for (let i = 0; i < length; i++) {
        const x = z[i]!;
        a[i] = x / (Math.abs(x) + 1);
      }
      return;
    case 10:
      for (let i = 0; i < length; i++) {
        const x = z[i]!;
        a[i] = Math.fround(sigmoid(x)) * x;
      }
      return;
    case 11:
      for (let i = 0; i < length; i++) {
        const x = z[i]!;
        a[i] = x * Math.fround(Math.tanh(Math.fround(softplus(x))));
      }
      return;
    case 12:
      for (let i = 0; i < length; i++) {
        const x = z[i]!;
        a[i] = x * Math.fround(0.5 * Math.fround(1 + Math.fround(erf(Math.fround(x / SQRT2)))));
      }
      return;
  }
}

function backward(kind: number, z: Float32Array, a: Float32Array, g: Float64Array, length: number): void {
  switch (kind) {
    case 0:
      return;
    case 1:
      for (let i = 0; i < length; i++) if (!(z[i]! > 0)) g[i] = 0;
      return;
    case 2:
      for (let i = 0; i < length; i++) {
        const x = z[i]!;
        if (!(x > 0 && x < 6)) g[i] = 0;
      }
      return;
    case 3:
      for (let i = 0; i < length; i++) {
        const y = a[i]!;
        if (y < 0) g[i]! *= y + 1;
      }
      return;
    case 4:
      for (let i = 0; i < length; i++) {
        const x = z[i]!;
        g[i]! *= x > 0 ? SELU_SCALE : SELU_SCALE_ALPHA * Math.exp(x);
      }
      return;
    case 5:
      for (let i = 0; i < length; i++) {
        const y = a[i]!;
        g[i]! *= 1 - y * y;
      }
      return;
    case 6:
      for (let i = 0; i < length; i++) {
        const y = a[i]!;
        g[i]! *= y * (1 - y);
      }
      return;
    case 7:
      for (let i = 0; i < length; i++) {
        const y = Math.fround(0.5 + Math.fround(0.2 * z[i]!));
        g[i] = y >= 0 && y <= 1 ? g[i]! * 0.2 : 0;
      }
      return;
    case 8:
      for (let i = 0; i < length; i++) g[i]! *= sigmoid(z[i]!);
      return;
    case 9:
      for (let i = 0; i < length; i++) {
        const d = Math.abs(z[i]!) + 1;
        g[i]! /= d * d;
      }
      return;
    case 10:
      for (let i = 0; i < length; i++) {
        const x = z[i]!;
        const s = Math.fround(sigmoid(x));
        g[i]! *= s + x * s * (1 - s);
      }
      return;
    case 11:
      for (let i = 0; i < length; i++) {
        const x = z[i]!;
        const t = Math.fround(Math.tanh(Math.fround(softplus(x))));
        g[i]! *= t + x * (1 - t * t) * sigmoid(x);
      }
      return;
    case 12:
      for (let i = 0; i < length; i++) {
        const x = z[i]!;
        const u = Math.fround(x / SQRT2);
        const cdf = Math.fround(0.5 * Math.fround(1 + Math.fround(erf(u))));
        g[i]! *= cdf + (x * 0.5 * TWO_OVER_SQRT_PI * Math.exp(-u * u)) / SQRT2;
      }
      return;
  }
}
