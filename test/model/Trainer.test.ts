import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelError } from '../../src/errors.js';
import type { ModelSpec } from '../../src/model/ModelSpec.js';
import { Trainer, type TrainerSettings } from '../../src/model/Trainer.js';
import { mulberry32 } from '../../src/sources/prng.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Seeded standard normals (mulberry32 + Box-Muller). */
function normals(seed: number): () => number {
  const uniform = mulberry32(seed);
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** A batch of n rows of d standard-normal features with labels from `label(row)`. */
function batch(rand: () => number, n: number, d: number, label: (row: number[]) => number) {
  const x = new Float32Array(n * d);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const row = Array.from({ length: d }, rand);
    x.set(row, i * d);
    y[i] = label(row);
  }
  return { x, y, n };
}

const linear: ModelSpec = { layers: [], seed: 5 };
const mlp: ModelSpec = { layers: [{ type: 'dense', units: 16, activation: 'tanh' }], seed: 5 };
const make = (s: Partial<TrainerSettings> & Pick<TrainerSettings, 'task'>): Trainer =>
  new Trainer({ classes: 2, inputDim: 2, model: linear, ...s });
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Trains `steps` mini-batches and returns the losses. */
function train(trainer: Trainer, steps: number, next: () => ReturnType<typeof batch>): number[] {
  return Array.from({ length: steps }, () => {
    const b = next();
    return trainer.step(b.x, b.y, b.n).loss;
  });
}

describe('Trainer', () => {
  it('learns a separable binary problem', () => {
    const rand = normals(1);
    const label = (r: number[]): number => (r[0]! - 2 * r[1]! > 0 ? 1 : 0);
    const trainer = make({ task: 'binary', model: mlp, learningRate: 0.05, l2: 0 });
    const losses = train(trainer, 150, () => batch(rand, 32, 2, label));
    expect(mean(losses.slice(-10))).toBeLessThan(0.3 * mean(losses.slice(0, 10)));
    const test = batch(rand, 500, 2, label);
    const p = trainer.predict(test.x, test.n);
    const accuracy = mean(Array.from(test.y, (y, i) => Number((p[i]! > 0.5 ? 1 : 0) === y)));
    expect(accuracy).toBeGreaterThan(0.95);
    trainer.dispose();
  });

  it('learns a linear regression', () => {
    const rand = normals(2);
    const label = (r: number[]): number => 2 * r[0]! - 3 * r[1]! + 0.5;
    const trainer = make({ task: 'regression', learningRate: 0.05, l2: 0 });
    const losses = train(trainer, 400, () => batch(rand, 32, 2, label));
    expect(mean(losses.slice(-10))).toBeLessThan(0.01 * mean(losses.slice(0, 10)));
    const [kernel, bias] = trainer.getWeights();
    expect(Array.from(kernel!.values)).toEqual([expect.closeTo(2, 1), expect.closeTo(-3, 1)]);
    expect(bias!.values[0]).toBeCloseTo(0.5, 1);
    trainer.dispose();
  });

  it('learns a 3-class problem', () => {
    const rand = normals(3);
    const centers = [
      [2, 0],
      [-1, 1.7],
      [-1, -1.7],
    ];
    const label = (r: number[]): number => {
      const d = centers.map((c) => (r[0]! - c[0]!) ** 2 + (r[1]! - c[1]!) ** 2);
      return d.indexOf(Math.min(...d));
    };
    const trainer = make({ task: 'multiclass', classes: 3, model: mlp, learningRate: 0.03 });
    expect(trainer.width).toBe(3);
    const losses = train(trainer, 200, () => batch(rand, 32, 2, label));
    expect(mean(losses.slice(-10))).toBeLessThan(0.3 * mean(losses.slice(0, 10)));
    const test = batch(rand, 300, 2, label);
    const p = trainer.predict(test.x, test.n);
    let correct = 0;
    for (let i = 0; i < test.n; i++) {
      const row = Array.from(p.subarray(i * 3, i * 3 + 3));
      expect(row.reduce((a, b) => a + b)).toBeCloseTo(1, 5);
      correct += Number(row.indexOf(Math.max(...row)) === test.y[i]);
    }
    expect(correct / test.n).toBeGreaterThan(0.9);
    trainer.dispose();
  });

  it('reports the task loss plus l2 times the sum of squared kernels (no biases)', () => {
    const rand = normals(4);
    const b = batch(rand, 16, 2, (r) => Number(r[0]! > 0));
    const trainer = make({ task: 'binary', l2: 0.3 });
    const bias = [0.7];
    trainer.setWeights([trainer.getWeights()[0]!, { shape: [1], values: Float32Array.from(bias) }]);
    const w = Array.from(trainer.getWeights()[0]!.values);
    const { loss, dataLoss, predictions } = trainer.step(b.x, b.y, b.n);
    let bce = 0;
    for (let i = 0; i < b.n; i++) {
      const z = b.x[2 * i]! * w[0]! + b.x[2 * i + 1]! * w[1]! + bias[0]!;
      const p = 1 / (1 + Math.exp(-z));
      expect(predictions[i]).toBeCloseTo(p, 6);
      bce -= b.y[i]! * Math.log(p) + (1 - b.y[i]!) * Math.log(1 - p);
    }
    expect(dataLoss).toBeCloseTo(bce / b.n, 5);
    expect(loss).toBeCloseTo(bce / b.n + 0.3 * (w[0]! ** 2 + w[1]! ** 2), 5);
    trainer.dispose();
  });

  it('stays finite on extreme logits (stable cross-entropy)', () => {
    const trainer = make({ task: 'binary', l2: 0 });
    trainer.setWeights([
      { shape: [2, 1], values: Float32Array.from([100, 0]) },
      { shape: [1], values: Float32Array.from([0]) },
    ]);
    // z = ±500: a wrong label costs ~500 nats, not Infinity.
    const { dataLoss, applied } = trainer.step(Float32Array.from([5, 0, -5, 0]), Float32Array.from([0, 1]), 2);
    expect(applied).toBe(true);
    expect(dataLoss).toBeCloseTo(500, 2);
    trainer.dispose();
  });

  it('returns the predictions of the forward pass before the update', () => {
    const rand = normals(5);
    const trainer = make({ task: 'multiclass', classes: 3, model: mlp, learningRate: 0.1 });
    for (let i = 0; i < 3; i++) {
      const b = batch(rand, 8, 2, (r) => (r[0]! > 0 ? 2 : 0));
      const before = trainer.predict(b.x, b.n);
      const { predictions, applied } = trainer.step(b.x, b.y, b.n);
      expect(applied).toBe(true);
      expect(Array.from(predictions)).toEqual(Array.from(before));
      expect(Array.from(trainer.predict(b.x, b.n))).not.toEqual(Array.from(before));
    }
    trainer.dispose();
  });

  it('adds 2 * l2 * w to the kernel gradient (read back from the first moment)', () => {
    const rand = normals(6);
    const b = batch(rand, 10, 2, (r) => r[0]! + r[1]!);
    // Adam's first moment after one step is (1 - beta1) * g.
    // A non-zero bias, so that a penalty on it would show.
    const withBias = (trainer: Trainer): Trainer => {
      trainer.setWeights([trainer.getWeights()[0]!, { shape: [1], values: Float32Array.from([0.8]) }]);
      return trainer;
    };
    const gradient = (l2: number): number[][] => {
      const trainer = withBias(make({ task: 'regression', l2 }));
      trainer.step(b.x, b.y, b.n);
      const g = trainer.optimizerState.slots.map((s) => s.m.map((m) => m / 0.1));
      trainer.dispose();
      return g;
    };
    const reference = withBias(make({ task: 'regression' })); // same seed, same initial weights
    const [kernel, bias] = reference.getWeights().map((w) => Array.from(w.values));
    reference.dispose();
    const [g0k, g0b] = gradient(0);
    const [g1k, g1b] = gradient(1);
    // Hand-computed MSE gradient: 2/n Σ (x·w + b - y) x, and 2/n Σ (x·w + b - y) for the bias.
    const hand = [0, 0, 0];
    for (let i = 0; i < b.n; i++) {
      const r = b.x[2 * i]! * kernel![0]! + b.x[2 * i + 1]! * kernel![1]! + bias![0]! - b.y[i]!;
      hand[0]! += (2 / b.n) * r * b.x[2 * i]!;
      hand[1]! += (2 / b.n) * r * b.x[2 * i + 1]!;
      hand[2]! += (2 / b.n) * r;
    }
    expect(g0k).toEqual([expect.closeTo(hand[0]!, 4), expect.closeTo(hand[1]!, 4)]);
    expect(g0b![0]).toBeCloseTo(hand[2]!, 4);
    expect(g1k).toEqual([expect.closeTo(hand[0]! + 2 * kernel![0]!, 4), expect.closeTo(hand[1]! + 2 * kernel![1]!, 4)]);
    expect(g1b![0]).toBeCloseTo(g0b![0]!, 5);
  });

  it('scales the first update with the learning rate, set at any time', () => {
    const rand = normals(7);
    const b = batch(rand, 10, 2, (r) => r[0]!);
    const delta = (lr: number): number[] => {
      const trainer = make({ task: 'regression', model: mlp });
      trainer.learningRate = lr;
      expect(trainer.learningRate).toBe(lr);
      const before = trainer.getWeights().flatMap((w) => Array.from(w.values));
      trainer.step(b.x, b.y, b.n);
      const after = trainer.getWeights().flatMap((w) => Array.from(w.values));
      trainer.dispose();
      return after.map((a, i) => a - before[i]!);
    };
    const small = delta(0.001);
    const large = delta(0.004);
    expect(Math.max(...small.map(Math.abs))).toBeGreaterThan(1e-4);
    large.forEach((d, i) => expect(d).toBeCloseTo(4 * small[i]!, 5));
  });

  it('skips a step with a NaN input and leaves the weights bit-identical', () => {
    const rand = normals(8);
    const trainer = make({ task: 'binary', model: mlp });
    const good = batch(rand, 8, 2, (r) => Number(r[0]! > 0));
    trainer.step(good.x, good.y, good.n);
    const weights = trainer.getWeights();
    const state = trainer.optimizerState;
    const bad = batch(rand, 8, 2, (r) => Number(r[0]! > 0));
    bad.x[5] = NaN;
    const result = trainer.step(bad.x, bad.y, bad.n);
    expect(result.applied).toBe(false);
    expect(result.loss).toBeNaN();
    expect(trainer.getWeights()).toEqual(weights);
    expect(trainer.optimizerState).toEqual(state);
    expect(trainer.iterations).toBe(1);
    trainer.dispose();
  });

  it('clips the gradient to clipNorm, keeping its direction', () => {
    const rand = normals(9);
    const b = batch(rand, 16, 2, (r) => 10 * r[0]! - 5);
    const firstGradient = (clipNorm?: number) => {
      const trainer = make({ task: 'regression', model: mlp, clipNorm });
      const { gradNorm } = trainer.step(b.x, b.y, b.n);
      const g = trainer.optimizerState.slots.flatMap((s) => s.m.map((m) => m / 0.1));
      trainer.dispose();
      return { gradNorm, g };
    };
    const free = firstGradient();
    const clipped = firstGradient(0.5);
    expect(clipped.gradNorm).toBeCloseTo(free.gradNorm, 4); // reported before clipping
    expect(free.gradNorm).toBeGreaterThan(1);
    const norm = (g: number[]): number => Math.sqrt(g.reduce((a, x) => a + x * x, 0));
    expect(norm(free.g)).toBeCloseTo(free.gradNorm, 3);
    expect(norm(clipped.g)).toBeCloseTo(0.5, 4);
    clipped.g.forEach((x, i) => expect(x).toBeCloseTo((free.g[i]! * 0.5) / free.gradNorm, 5));
  });

  it('restores weights and optimizer state from a JSON snapshot', () => {
    const rand = normals(10);
    const settings = { task: 'binary', model: mlp, adam: { amsgrad: true } } as const;
    const a = make(settings);
    train(a, 5, () => batch(rand, 8, 2, (r) => Number(r[1]! > 0)));
    const b = make({ ...settings, model: { ...mlp, seed: 99 } });
    b.restore(JSON.parse(JSON.stringify(a.snapshot())));
    expect(b.getWeights()).toEqual(a.getWeights());
    const next = batch(rand, 8, 2, (r) => Number(r[1]! > 0));
    expect(b.step(next.x, next.y, next.n)).toEqual(a.step(next.x, next.y, next.n));
    expect(b.getWeights()).toEqual(a.getWeights());
    expect(() => b.setWeights(a.getWeights().slice(1))).toThrow(ModelError);
    a.dispose();
    b.dispose();
  });

  it('gives identical runs for identical seeds, dropout included', () => {
    const spec: ModelSpec = { layers: [{ type: 'dense', units: 8 }, { type: 'dropout', rate: 0.3 }], seed: 4 };
    const run = (): number[] => {
      const rand = normals(11);
      const trainer = make({ task: 'regression', model: spec });
      const losses = train(trainer, 5, () => batch(rand, 8, 2, (r) => r[0]!));
      trainer.dispose();
      return losses;
    };
    const first = run();
    expect(run()).toEqual(first);
    expect(new Set(first).size).toBe(5);
  });

  it('rejects batches of the wrong size and bad hyperparameters', () => {
    const trainer = make({ task: 'binary' });
    expect(() => trainer.step(new Float32Array(5), new Float32Array(2), 2)).toThrow(ModelError);
    expect(() => trainer.step(new Float32Array(4), new Float32Array(3), 2)).toThrow(ModelError);
    expect(() => trainer.predict(new Float32Array(0), 0)).toThrow(ModelError);
    expect(() => (trainer.l2 = -1)).toThrow(ModelError);
    expect(() => make({ task: 'binary', clipNorm: 0 })).toThrow(ModelError);
    trainer.l2 = 0.5;
    expect(trainer.l2).toBe(0.5);
    trainer.dispose();
  });

  it('keeps the tensor count flat over 1,000 steps', () => {
    const rand = normals(12);
    const spec: ModelSpec = { layers: [{ type: 'dense', units: 8 }, { type: 'dropout', rate: 0.2 }], seed: 1 };
    const trainer = make({ task: 'multiclass', classes: 3, model: spec, adam: { amsgrad: true }, clipNorm: 1 });
    const b = batch(rand, 16, 2, (r) => (r[0]! > 0 ? 1 : 2));
    trainer.step(b.x, b.y, b.n);
    const count = tf.memory().numTensors;
    expect(trainer.numTensors).toBe(count);
    for (let i = 0; i < 1000; i++) {
      if (i === 500) b.x[0] = NaN; // a skipped step must not leak either
      if (i === 501) b.x[0] = 0;
      trainer.learningRate = 0.001 * (1 + (i % 3));
      trainer.l2 = 0.001 * (i % 2);
      trainer.step(b.x, b.y, b.n);
      trainer.predict(b.x, b.n);
    }
    expect(tf.memory().numTensors).toBe(count);
    trainer.dispose();
  });
});
