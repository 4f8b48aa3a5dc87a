import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Adam } from '../../src/model/Adam.js';
import { ModelError } from '../../src/errors.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Adam / AMSGrad on plain numbers, one scalar parameter (the reference). */
function referenceAdam(w0: number, grads: number[], lr: number, amsgrad: boolean): { w: number[]; vhat: number[] } {
  const [b1, b2, eps] = [0.9, 0.999, 1e-7];
  let [w, m, v, vmax] = [w0, 0, 0, 0];
  const ws: number[] = [];
  const vhats: number[] = [];
  grads.forEach((g, i) => {
    const t = i + 1;
    m = b1 * m + (1 - b1) * g;
    v = b2 * v + (1 - b2) * g * g;
    vmax = Math.max(vmax, v);
    const second = amsgrad ? vmax : v;
    w -= (lr * (m / (1 - b1 ** t))) / (Math.sqrt(second / (1 - b2 ** t)) + eps);
    ws.push(w);
    vhats.push(vmax);
  });
  return { w: ws, vhat: vhats };
}

/** Runs `adam` on one scalar variable fed with the given gradients; returns w and the state after each step. */
function run(adam: Adam, w0: number, grads: number[]): { w: number[]; vhat: number[] } {
  const w = tf.variable(tf.scalar(w0));
  const out = { w: [] as number[], vhat: [] as number[] };
  for (const g of grads) {
    tf.tidy(() => adam.apply([w], [tf.scalar(g)]));
    out.w.push(w.dataSync()[0] as number);
    out.vhat.push(adam.getWeights().slots[0]?.vhat?.[0] ?? NaN);
  }
  w.dispose();
  return out;
}

// Large gradients first, then small ones: the second moment v decays, so AMSGrad's max differs.
const shrinking = [5, 4, 3, 0.1, 0.1, -0.1, 0.05, 0.05, 0.02, 0.01, 0.01, -0.01];

describe('Adam', () => {
  it('matches tf.train.adam step for step on a least-squares problem', () => {
    const X = tf.tensor2d([1, 2, -1, 0.5, 3, -2, 0, 1, 2, 2, -1, 1], [4, 3]);
    const Y = tf.tensor2d([1, -1, 2, 0.5, 0, 1, -2, 1], [4, 2]);
    const init = tf.tensor2d([0.1, -0.2, 0.3, 0.05, -0.1, 0.2], [3, 2]);
    const ours = tf.variable(init.clone());
    const theirs = tf.variable(init.clone());
    const loss = (w: tf.Variable) => () => tf.sum(tf.square(tf.sub(tf.matMul(X, w), Y))) as tf.Scalar;
    const adam = new Adam(0.05);
    const reference = tf.train.adam(0.05, 0.9, 0.999, 1e-7);
    for (let i = 0; i < 20; i++) {
      tf.tidy(() => {
        const { grads } = tf.variableGrads(loss(ours), [ours]);
        adam.apply([ours], [grads[ours.name] as tf.Tensor]);
      });
      reference.minimize(loss(theirs), false, [theirs]);
    }
    const a = ours.dataSync();
    const b = theirs.dataSync();
    const moved = Math.max(...Array.from(a, (x, i) => Math.abs(x - (init.dataSync()[i] as number))));
    expect(moved).toBeGreaterThan(0.1);
    a.forEach((x, i) => expect(x).toBeCloseTo(b[i] as number, 5));
    expect(adam.iterations).toBe(20);
    tf.dispose([X, Y, init, ours, theirs]);
    reference.dispose();
    adam.dispose();
  });

  it('plain Adam follows the reference on shrinking gradients', () => {
    const adam = new Adam(0.1);
    const { w } = run(adam, 1, shrinking);
    const ref = referenceAdam(1, shrinking, 0.1, false);
    w.forEach((x, i) => expect(x).toBeCloseTo(ref.w[i] as number, 5));
    expect(adam.getWeights().slots[0]?.vhat).toBeUndefined();
    adam.dispose();
  });

  it('AMSGrad keeps a monotone vhat and departs from Adam once v decreases', () => {
    const adam = new Adam(0.1, { amsgrad: true });
    const { w, vhat } = run(adam, 1, shrinking);
    const ref = referenceAdam(1, shrinking, 0.1, true);
    const plain = referenceAdam(1, shrinking, 0.1, false);
    w.forEach((x, i) => expect(x).toBeCloseTo(ref.w[i] as number, 5));
    vhat.forEach((x, i) => expect(x).toBeCloseTo(ref.vhat[i] as number, 6));
    for (let i = 1; i < vhat.length; i++) expect(vhat[i]).toBeGreaterThanOrEqual(vhat[i - 1] as number);
    // Same gradients, so same m and v in both runs: AMSGrad's step equals Adam's while v is at its
    // maximum and is shorter by (sqrt(v̂) + ε) / (sqrt(vhat / c2) + ε) once v has fallen below it.
    const plainRun = run(new Adam(0.1), 1, shrinking).w;
    const delta = (ws: number[], i: number): number => Math.abs((ws[i] as number) - (i === 0 ? 1 : (ws[i - 1] as number)));
    let shrunk = 0;
    for (let i = 0; i < shrinking.length; i++) {
      const c2 = 1 - 0.999 ** (i + 1);
      const v = 0.001 * shrinking.slice(0, i + 1).reduce((acc, h, j) => acc + h * h * 0.999 ** (i - j), 0);
      const vmax = ref.vhat[i] as number;
      const ratio = (Math.sqrt(v / c2) + 1e-7) / (Math.sqrt(vmax / c2) + 1e-7);
      expect(delta(w, i) / delta(plainRun, i)).toBeCloseTo(ratio, 4);
      if (ratio < 0.999) {
        expect(delta(w, i)).toBeLessThan(delta(plainRun, i));
        shrunk += 1;
      }
    }
    expect(shrunk).toBeGreaterThan(3);
    expect(Math.abs((w.at(-1) as number) - (plain.w.at(-1) as number))).toBeGreaterThan(1e-4);
    adam.dispose();
  });

  it('uses a learning rate changed between steps', () => {
    const adam = new Adam(0.1);
    const w = tf.variable(tf.scalar(1));
    const values: number[] = [];
    for (const [i, g] of shrinking.entries()) {
      adam.learningRate = i < 4 ? 0.1 : 0.01;
      tf.tidy(() => adam.apply([w], [tf.scalar(g)]));
      values.push(w.dataSync()[0] as number);
    }
    // Reference: same moments, lr switched after step 4.
    const b1 = 0.9, b2 = 0.999;
    let [x, m, v] = [1, 0, 0];
    shrinking.forEach((g, i) => {
      m = b1 * m + (1 - b1) * g;
      v = b2 * v + (1 - b2) * g * g;
      const lr = i < 4 ? 0.1 : 0.01;
      x -= (lr * (m / (1 - b1 ** (i + 1)))) / (Math.sqrt(v / (1 - b2 ** (i + 1))) + 1e-7);
      expect(values[i]).toBeCloseTo(x, 5);
    });
    expect(() => (adam.learningRate = -1)).toThrow(ModelError);
    expect(() => (adam.learningRate = NaN)).toThrow(ModelError);
    w.dispose();
    adam.dispose();
  });

  it('setWeights(getWeights()) continues exactly where the original goes', () => {
    const a = new Adam(0.05, { amsgrad: true });
    const wa = tf.variable(tf.tensor1d([0.5, -0.5, 2]));
    const grad = (w: tf.Variable) => tf.grad((x: tf.Tensor) => tf.sum(tf.pow(x, 4)))(w);
    for (let i = 0; i < 5; i++) tf.tidy(() => a.apply([wa], [grad(wa)]));
    const state = JSON.parse(JSON.stringify(a.getWeights()));
    const b = new Adam(0.05, { amsgrad: true });
    b.setWeights(state);
    const wb = tf.variable(wa.clone());
    expect(b.iterations).toBe(5);
    for (let i = 0; i < 5; i++) {
      tf.tidy(() => a.apply([wa], [grad(wa)]));
      tf.tidy(() => b.apply([wb], [grad(wb)]));
    }
    expect(Array.from(wb.dataSync())).toEqual(Array.from(wa.dataSync()));
    expect(b.getWeights()).toEqual(a.getWeights());
    expect(() => b.setWeights({ t: 1, slots: [{ shape: [3], m: [0, 0], v: [0, 0, 0], vhat: [0, 0, 0] }] })).toThrow(ModelError);
    tf.dispose([wa, wb]);
    a.dispose();
    b.dispose();
  });

  it('resetMoments makes the next step a first step again', () => {
    const adam = new Adam(0.1);
    run(adam, 1, shrinking);
    adam.resetMoments();
    expect(adam.getWeights()).toEqual({ t: 0, slots: [] });
    const { w } = run(adam, 1, [0.3]);
    expect(w[0]).toBeCloseTo(referenceAdam(1, [0.3], 0.1, false).w[0] as number, 6);
    adam.dispose();
  });

  it('rejects gradients that do not match the state', () => {
    const adam = new Adam(0.1);
    const w = tf.variable(tf.zeros([2]));
    tf.tidy(() => adam.apply([w], [tf.ones([2])]));
    const other = tf.variable(tf.zeros([3]));
    expect(() => tf.tidy(() => adam.apply([other], [tf.ones([3])]))).toThrow(ModelError);
    expect(() => adam.apply([w], [])).toThrow(ModelError);
    tf.dispose([w, other]);
    adam.dispose();
  });

  it('keeps the tensor count flat and frees its state on dispose', () => {
    const before = tf.memory().numTensors;
    const adam = new Adam(0.01, { amsgrad: true });
    const w = tf.tidy(() => tf.variable(tf.ones([4, 3])));
    tf.tidy(() => adam.apply([w], [tf.onesLike(w)]));
    const afterFirst = tf.memory().numTensors;
    expect(afterFirst).toBe(before + 1 + 3); // w, then m, v, vhat
    for (let i = 0; i < 200; i++) tf.tidy(() => adam.apply([w], [tf.mul(w, 0.5)]));
    expect(tf.memory().numTensors).toBe(afterFirst);
    adam.dispose();
    w.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
