import { describe, expect, it } from 'vitest';
import { ModelError } from '../../src/errors.js';
import type { Engine } from '../../src/model/Engine.js';
import type { EngineSettings } from '../../src/model/EngineSettings.js';
import type { ModelSpec } from '../../src/model/ModelSpec.js';
import { batch, normals } from './batches.js';

/** Builds an engine of the kind under test. */
export type EngineFactory = (settings: EngineSettings) => Engine;

const linear: ModelSpec = { layers: [], seed: 5 };
const mlp: ModelSpec = { layers: [{ type: 'dense', units: 16, activation: 'tanh' }], seed: 5 };
const dropoutSpec: ModelSpec = { layers: [{ type: 'dense', units: 8 }, { type: 'dropout', rate: 0.3 }], seed: 4 };
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Trains `steps` mini-batches and returns the losses. */
function train(engine: Engine, steps: number, next: () => ReturnType<typeof batch>): number[] {
  return Array.from({ length: steps }, () => {
    const b = next();
    return engine.step(b.x, b.y, b.n).loss;
  });
}

/**
 * The behaviour every engine must have (the trainer tests, run against any engine): it learns
 * each task, computes the documented loss and gradients, validates its settings, skips non-finite
 * steps without a trace, clips, restores snapshots, scores in inference mode, and keeps its
 * tensor/buffer count flat.
 *
 * @example
 * engineContract('dense', (s) => new DenseEngine(s));
 */
export function engineContract(name: string, factory: EngineFactory): void {
  const make = (s: Partial<EngineSettings> & Pick<EngineSettings, 'task'>): Engine =>
    factory({ classes: 2, inputDim: 2, model: linear, ...s });

  describe(`${name} engine (contract)`, () => {
    it('learns a separable binary problem', () => {
      const rand = normals(1);
      const label = (r: number[]): number => (r[0]! - 2 * r[1]! > 0 ? 1 : 0);
      const engine = make({ task: 'binary', model: mlp, learningRate: 0.05, l2: 0 });
      const losses = train(engine, 150, () => batch(rand, 32, 2, label));
      expect(mean(losses.slice(-10))).toBeLessThan(0.3 * mean(losses.slice(0, 10)));
      const test = batch(rand, 500, 2, label);
      const p = engine.predict(test.x, test.n);
      expect(p.length).toBe(500);
      const accuracy = mean(Array.from(test.y, (y, i) => Number((p[i]! > 0.5 ? 1 : 0) === y)));
      expect(accuracy).toBeGreaterThan(0.95);
      engine.dispose();
    });

    it('learns a linear regression', () => {
      const rand = normals(2);
      const label = (r: number[]): number => 2 * r[0]! - 3 * r[1]! + 0.5;
      const engine = make({ task: 'regression', learningRate: 0.05, l2: 0 });
      const losses = train(engine, 400, () => batch(rand, 32, 2, label));
      expect(mean(losses.slice(-10))).toBeLessThan(0.01 * mean(losses.slice(0, 10)));
      const [kernel, bias] = engine.getWeights();
      expect(Array.from(kernel!.values)).toEqual([expect.closeTo(2, 1), expect.closeTo(-3, 1)]);
      expect(bias!.values[0]).toBeCloseTo(0.5, 1);
      engine.dispose();
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
      const engine = make({ task: 'multiclass', classes: 3, model: mlp, learningRate: 0.03 });
      expect(engine.width).toBe(3);
      const losses = train(engine, 200, () => batch(rand, 32, 2, label));
      expect(mean(losses.slice(-10))).toBeLessThan(0.3 * mean(losses.slice(0, 10)));
      const test = batch(rand, 300, 2, label);
      const p = engine.predict(test.x, test.n);
      expect(p.length).toBe(900);
      let correct = 0;
      for (let i = 0; i < test.n; i++) {
        const row = Array.from(p.subarray(i * 3, i * 3 + 3));
        expect(row.reduce((a, b) => a + b)).toBeCloseTo(1, 5);
        correct += Number(row.indexOf(Math.max(...row)) === test.y[i]);
      }
      expect(correct / test.n).toBeGreaterThan(0.9);
      engine.dispose();
    });

    it('reports the task loss plus l2 times the sum of squared kernels (no biases)', () => {
      const rand = normals(4);
      const b = batch(rand, 16, 2, (r) => Number(r[0]! > 0));
      const engine = make({ task: 'binary', l2: 0.3 });
      const bias = [0.7];
      engine.setWeights([engine.getWeights()[0]!, { shape: [1], values: Float32Array.from(bias) }]);
      const w = Array.from(engine.getWeights()[0]!.values);
      const { loss, dataLoss, predictions } = engine.step(b.x, b.y, b.n);
      let bce = 0;
      for (let i = 0; i < b.n; i++) {
        const z = b.x[2 * i]! * w[0]! + b.x[2 * i + 1]! * w[1]! + bias[0]!;
        const p = 1 / (1 + Math.exp(-z));
        expect(predictions[i]).toBeCloseTo(p, 6);
        bce -= b.y[i]! * Math.log(p) + (1 - b.y[i]!) * Math.log(1 - p);
      }
      expect(dataLoss).toBeCloseTo(bce / b.n, 5);
      expect(loss).toBeCloseTo(bce / b.n + 0.3 * (w[0]! ** 2 + w[1]! ** 2), 5);
      engine.dispose();
    });

    it('stays finite on extreme logits (stable cross-entropy)', () => {
      const engine = make({ task: 'binary', l2: 0 });
      engine.setWeights([
        { shape: [2, 1], values: Float32Array.from([100, 0]) },
        { shape: [1], values: Float32Array.from([0]) },
      ]);
      // z = ±500: a wrong label costs ~500 nats, not Infinity.
      const { dataLoss, applied } = engine.step(Float32Array.from([5, 0, -5, 0]), Float32Array.from([0, 1]), 2);
      expect(applied).toBe(true);
      expect(dataLoss).toBeCloseTo(500, 2);
      engine.dispose();
    });

    it('returns the predictions of the model before the update', () => {
      const rand = normals(5);
      const engine = make({ task: 'multiclass', classes: 3, model: mlp, learningRate: 0.1 });
      for (let i = 0; i < 3; i++) {
        const b = batch(rand, 8, 2, (r) => (r[0]! > 0 ? 2 : 0));
        const before = engine.predict(b.x, b.n).slice();
        const { predictions, applied } = engine.step(b.x, b.y, b.n);
        expect(applied).toBe(true);
        expect(predictions.length).toBe(24);
        expect(Array.from(predictions)).toEqual(Array.from(before));
        expect(Array.from(engine.predict(b.x, b.n))).not.toEqual(Array.from(before));
      }
      engine.dispose();
    });

    it('scores in inference mode with dropout: step predictions are the deterministic predict() outputs', () => {
      const rand = normals(13);
      const engine = make({ task: 'binary', model: { ...dropoutSpec, layers: [{ type: 'dense', units: 16 }, { type: 'dropout', rate: 0.5 }] } });
      let differs = 0;
      for (let i = 0; i < 5; i++) {
        const b = batch(rand, 16, 2, (r) => Number(r[0]! > 0));
        const before = engine.predict(b.x, b.n).slice();
        expect(Array.from(engine.predict(b.x, b.n))).toEqual(Array.from(before)); // no dropout noise
        const { predictions, dataLoss } = engine.step(b.x, b.y, b.n);
        expect(Array.from(predictions)).toEqual(Array.from(before));
        // The loss comes from the training (dropped-out) pass, not from these scores.
        let bce = 0;
        for (let r = 0; r < b.n; r++) bce -= Math.log(b.y[r] === 1 ? before[r]! : 1 - before[r]!);
        if (Math.abs(bce / b.n - dataLoss) > 1e-4) differs++;
      }
      expect(differs).toBeGreaterThan(0);
      engine.dispose();
    });

    it('adds 2 * l2 * w to the kernel gradient (read back from the first moment)', () => {
      const rand = normals(6);
      const b = batch(rand, 10, 2, (r) => r[0]! + r[1]!);
      // Adam's first moment after one step is (1 - beta1) * g.
      // A non-zero bias, so that a penalty on it would show.
      const withBias = (engine: Engine): Engine => {
        engine.setWeights([engine.getWeights()[0]!, { shape: [1], values: Float32Array.from([0.8]) }]);
        return engine;
      };
      const gradient = (l2: number): number[][] => {
        const engine = withBias(make({ task: 'regression', l2 }));
        engine.step(b.x, b.y, b.n);
        const g = engine.optimizerState.slots.map((s) => s.m.map((m) => m / 0.1));
        engine.dispose();
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
        const engine = make({ task: 'regression', model: mlp });
        engine.learningRate = lr;
        expect(engine.learningRate).toBe(lr);
        const before = engine.getWeights().flatMap((w) => Array.from(w.values));
        engine.step(b.x, b.y, b.n);
        const after = engine.getWeights().flatMap((w) => Array.from(w.values));
        engine.dispose();
        return after.map((a, i) => a - before[i]!);
      };
      const small = delta(0.001);
      const large = delta(0.004);
      expect(Math.max(...small.map(Math.abs))).toBeGreaterThan(1e-4);
      large.forEach((d, i) => expect(d).toBeCloseTo(4 * small[i]!, 5));
    });

    it('skips a step with a NaN input and leaves weights and optimizer state bit-identical', () => {
      const rand = normals(8);
      const engine = make({ task: 'binary', model: mlp, adam: { amsgrad: true } });
      const good = batch(rand, 8, 2, (r) => Number(r[0]! > 0));
      engine.step(good.x, good.y, good.n);
      const weights = engine.getWeights();
      const state = engine.optimizerState;
      const bad = batch(rand, 8, 2, (r) => Number(r[0]! > 0));
      bad.x[5] = NaN;
      const result = engine.step(bad.x, bad.y, bad.n);
      expect(result.applied).toBe(false);
      expect(result.loss).toBeNaN();
      const badLabel = batch(rand, 8, 2, (r) => Number(r[0]! > 0));
      badLabel.y[3] = Infinity;
      expect(engine.step(badLabel.x, badLabel.y, badLabel.n).applied).toBe(false);
      expect(engine.getWeights()).toEqual(weights);
      expect(engine.optimizerState).toEqual(state);
      expect(engine.iterations).toBe(1);
      engine.dispose();
    });

    it('clips the gradient to clipNorm, keeping its direction', () => {
      const rand = normals(9);
      const b = batch(rand, 16, 2, (r) => 10 * r[0]! - 5);
      const firstGradient = (clipNorm?: number) => {
        const engine = make({ task: 'regression', model: mlp, clipNorm });
        const { gradNorm } = engine.step(b.x, b.y, b.n);
        const g = engine.optimizerState.slots.flatMap((s) => s.m.map((m) => m / 0.1));
        engine.dispose();
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
      expect(b.getWeights()).not.toEqual(a.getWeights());
      b.restore(JSON.parse(JSON.stringify(a.snapshot())));
      expect(b.getWeights()).toEqual(a.getWeights());
      expect(b.iterations).toBe(5);
      const next = batch(rand, 8, 2, (r) => Number(r[1]! > 0));
      expect(b.step(next.x, next.y, next.n)).toEqual(a.step(next.x, next.y, next.n));
      expect(b.getWeights()).toEqual(a.getWeights());
      expect(b.optimizerState).toEqual(a.optimizerState);
      expect(() => b.setWeights(a.getWeights().slice(1))).toThrow(ModelError);
      const [kernel, ...rest] = a.getWeights();
      expect(() => b.setWeights([{ shape: [16, 2], values: kernel!.values }, ...rest])).toThrow(ModelError);
      a.dispose();
      b.dispose();
    });

    it('forgets the moments on resetOptimizer, keeping the weights', () => {
      const rand = normals(14);
      const engine = make({ task: 'binary', model: mlp });
      expect(engine.optimizerState).toEqual({ t: 0, slots: [] });
      train(engine, 3, () => batch(rand, 8, 2, (r) => Number(r[1]! > 0)));
      expect(engine.optimizerState.slots.length).toBe(4);
      const weights = engine.getWeights();
      engine.resetOptimizer();
      expect(engine.iterations).toBe(0);
      expect(engine.optimizerState).toEqual({ t: 0, slots: [] });
      expect(engine.getWeights()).toEqual(weights);
      train(engine, 1, () => batch(rand, 8, 2, (r) => Number(r[1]! > 0)));
      expect(engine.iterations).toBe(1);
      engine.dispose();
    });

    it('gives identical runs for identical seeds, dropout included', () => {
      const run = (): number[] => {
        const rand = normals(11);
        const engine = make({ task: 'regression', model: dropoutSpec });
        const losses = train(engine, 5, () => batch(rand, 8, 2, (r) => r[0]!));
        engine.dispose();
        return losses;
      };
      const first = run();
      expect(run()).toEqual(first);
      expect(new Set(first).size).toBe(5);
    });

    it('rejects batches of the wrong size and bad hyperparameters', () => {
      const engine = make({ task: 'binary' });
      expect(() => engine.step(new Float32Array(5), new Float32Array(2), 2)).toThrow(ModelError);
      expect(() => engine.step(new Float32Array(4), new Float32Array(3), 2)).toThrow(ModelError);
      expect(() => engine.predict(new Float32Array(0), 0)).toThrow(ModelError);
      expect(() => (engine.l2 = -1)).toThrow(ModelError);
      expect(() => (engine.l2 = NaN)).toThrow(ModelError);
      expect(() => (engine.learningRate = -0.1)).toThrow(ModelError);
      expect(() => (engine.learningRate = Infinity)).toThrow(ModelError);
      expect(() => make({ task: 'binary', clipNorm: 0 })).toThrow(ModelError);
      expect(() => make({ task: 'binary', adam: { beta1: 1 } })).toThrow(ModelError);
      expect(() => make({ task: 'multiclass', classes: 1 })).toThrow(ModelError);
      engine.l2 = 0.5;
      expect(engine.l2).toBe(0.5);
      engine.learningRate = 0.02;
      expect(engine.learningRate).toBe(0.02);
      expect(engine.kind).toBe(name);
      engine.dispose();
    });

    it('keeps the tensor/buffer count flat over 1,000 steps', () => {
      const rand = normals(12);
      const spec: ModelSpec = { layers: [{ type: 'dense', units: 8 }, { type: 'dropout', rate: 0.2 }], seed: 1 };
      const engine = make({ task: 'multiclass', classes: 3, model: spec, adam: { amsgrad: true }, clipNorm: 1 });
      const b = batch(rand, 16, 2, (r) => (r[0]! > 0 ? 1 : 2));
      const small = batch(rand, 4, 2, (r) => (r[0]! > 0 ? 1 : 2));
      engine.step(b.x, b.y, b.n);
      engine.predict(b.x, b.n);
      const count = engine.numTensors;
      expect(count).toBeGreaterThan(0);
      for (let i = 0; i < 1000; i++) {
        if (i === 500) b.x[0] = NaN; // a skipped step must not leak either
        if (i === 501) b.x[0] = 0;
        engine.learningRate = 0.001 * (1 + (i % 3));
        engine.l2 = 0.001 * (i % 2);
        const next = i % 10 === 0 ? small : b; // smaller batches reuse the buffers
        engine.step(next.x, next.y, next.n);
        engine.predict(next.x, next.n);
      }
      expect(engine.numTensors).toBe(count);
      engine.dispose();
    });
  });
}
