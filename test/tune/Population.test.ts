import { describe, expect, it } from 'vitest';
import { CheckpointError } from '../../src/errors.js';
import { BlockLearner } from '../../src/model/BlockLearner.js';
import { DenseEngine } from '../../src/model/dense/DenseEngine.js';
import type { Engine } from '../../src/model/Engine.js';
import type { EngineSettings } from '../../src/model/EngineSettings.js';
import { mulberry32 } from '../../src/stats/prng.js';
import { Population } from '../../src/tune/Population.js';
import { populationSchema, type PopulationSettings } from '../../src/tune/populationSchema.js';
import type { ScaledSample } from '../../src/types.js';

const BASE = { learningRate: 0.01, l2: 0, batchSize: 1 };
const NO_SCALE = { learningRate: BASE.learningRate, l2: BASE.l2 };

function settings(overrides: Partial<PopulationSettings> = {}): PopulationSettings {
  return { ...populationSchema.parse({}), ...overrides };
}

function engineSettings(seed: number): EngineSettings {
  return {
    task: 'binary',
    classes: 2,
    inputDim: 2,
    model: { layers: [{ type: 'dense', units: 8, activation: 'relu' }], initializer: 'glorotUniform', seed },
    adam: { beta1: 0, beta2: 0.99, epsilon: 1e-7, amsgrad: false },
    learningRate: 0.01,
    l2: 0,
  };
}

/** A stream whose label is 1 when x0 + x1 > 0: learnable by every member. */
function blocks(count: number, size = 32, seed = 1): ScaledSample[][] {
  const random = mulberry32(seed);
  let index = 0;
  return Array.from({ length: count }, () =>
    Array.from({ length: size }, () => {
      const z = Float32Array.of(random() * 2 - 1, random() * 2 - 1);
      const y = (z[0] as number) + (z[1] as number) > 0 ? 1 : 0;
      const i = index++;
      return { index: i, position: `t:${i}`, x: z, y, split: 'train' as const, z, target: y, targetShift: 0, targetScale: 1 };
    }),
  );
}

/** An engine that cannot learn and always says `p`: its loss on the stream is known exactly. */
function constantEngine(p: number): Engine {
  const engine = new DenseEngine(engineSettings(1));
  const out = (n: number) => new Float32Array(n).fill(p);
  return Object.assign(engine, {
    predict: (_x: Float32Array, n: number) => out(n),
    step: (_x: Float32Array, _y: Float32Array, n: number) => ({ loss: 0.5, dataLoss: 0.5, gradNorm: 0, predictions: out(n), applied: true }),
  });
}

describe('Population', () => {
  it('of one member is the configured model: the same predictions as the engine learning alone', () => {
    const population = new Population(settings({ size: 1 }), BASE, 'binary', (id) => new DenseEngine(engineSettings(7 + id)));
    const alone = new BlockLearner(new DenseEngine(engineSettings(7)));
    for (const block of blocks(20)) {
      const together = Array.from(population.learn(block, NO_SCALE).predictions);
      expect(together).toEqual(Array.from(alone.learn(block, 1).predictions));
    }
    expect(population.maxBatchSize).toBe(1);
  });

  it('scores each block with the champion chosen before it: the member with the lowest recent loss', () => {
    // Labels are 1 or 0 evenly; a member saying 0.5 has log loss ln 2, one saying 0.9 or 0.1 does worse on average.
    const says = [0.9, 0.5, 0.1];
    const population = new Population(settings({ size: 3, interval: 1e9 }), BASE, 'binary', (id) => constantEngine(says[id] as number));
    const [first, ...rest] = blocks(30);
    const opening = population.learn(first as ScaledSample[], NO_SCALE);
    expect(opening.champion).toBe(0); // nobody scored yet: the starting member
    expect(opening.predictions[0]).toBeCloseTo(0.9);
    let last = opening;
    for (const block of rest) last = population.learn(block, NO_SCALE);
    expect(last.champion).toBe(1);
    expect(Array.from(last.predictions).every((p) => Math.abs(p - 0.5) < 1e-6)).toBe(true);
    const losses = population.status().map((m) => m.loss);
    expect(losses[1]).toBeCloseTo(Math.LN2, 1);
    expect(losses[1]).toBeLessThan(Math.min(losses[0] as number, losses[2] as number));
  });

  it('blends the members by recent loss when asked: the blend lies between their predictions, nearest the best', () => {
    const says = [0.9, 0.5];
    const population = new Population(settings({ size: 2, interval: 1e9, blend: true }), BASE, 'binary', (id) => constantEngine(says[id] as number));
    let last = population.learn(blocks(1)[0] as ScaledSample[], NO_SCALE);
    expect(last.predictions[0]).toBeCloseTo(0.7); // equal weights before any score
    for (const block of blocks(20, 32, 3)) last = population.learn(block, NO_SCALE);
    const p = last.predictions[0] as number;
    expect(p).toBeGreaterThan(0.5);
    expect(p).toBeLessThan(0.7);
  });

  it("in a round, the worst copy a better member's weights and Adam state and move its hyperparameters by the perturbation", () => {
    const s = settings({ size: 2, interval: 64, margin: 0, replace: 0.5, perturb: 2 });
    // Member 1 always says 0.9: worse than member 0, which learns the stream.
    const population = new Population(s, BASE, 'binary', (id) => (id === 0 ? new DenseEngine(engineSettings(0)) : constantEngine(0.9)));
    const [a, b, c] = blocks(3);
    population.learn(a as ScaledSample[], NO_SCALE);
    expect(population.explore(false)).toEqual([]); // 32 records: not due
    population.learn(b as ScaledSample[], NO_SCALE);
    const changes = population.explore(false);
    expect(changes).toHaveLength(1);
    const [change] = changes;
    const best = population.status().find((m) => m.id === change?.from);
    expect(change).toMatchObject({ member: 1, from: 0 });
    expect(change?.fromLoss).toBeLessThan(change?.loss as number);
    expect([BASE.learningRate * 2, BASE.learningRate / 2]).toContain(change?.params.learningRate);
    expect(population.status()[change?.member as number]).toMatchObject({ learningRate: change?.params.learningRate, loss: best?.loss });
    // Same weights and Adam state: the copy predicts exactly as the one it copied.
    const weights = population.getWeights();
    const half = weights.length / 2;
    for (let i = 0; i < half; i++) expect(Array.from(weights[i]?.values ?? [])).toEqual(Array.from(weights[half + i]?.values ?? []));
    expect(population.explore(false)).toEqual([]); // the next round waits for the interval again
    population.learn(c as ScaledSample[], NO_SCALE);
    expect(population.explore(false)).toEqual([]);
  });

  it('leaves members alone when the worst is within the margin of the best, and runs a round at once after a drift', () => {
    const population = new Population(settings({ size: 2, interval: 1e9, margin: 10, replace: 0.5 }), BASE, 'binary', (id) => new DenseEngine(engineSettings(id)));
    for (const block of blocks(4)) population.learn(block, NO_SCALE);
    expect(population.explore(true)).toEqual([]); // due (drift) but within the margin
    const eager = new Population(settings({ size: 2, interval: 1e9, margin: 0, replace: 0.5, perturb: 2 }), BASE, 'binary', (id) => constantEngine([0.9, 0.5][id] as number));
    for (const block of blocks(4)) eager.learn(block, NO_SCALE);
    expect(eager.explore(false)).toEqual([]); // the interval has not passed
    const [change] = eager.explore(true);
    expect(change).toMatchObject({ member: 0, from: 1 });
    const from = BASE.learningRate * 2; // member 1 starts at the base times the perturbation
    expect([Math.min(from * 4, 0.05), from / 4]).toContain(change?.params.learningRate); // widened: perturb squared, within the bounds
  });

  it("applies the tuner's learning rate and L2 relative to the base to every member", () => {
    const population = new Population(settings({ size: 3 }), { learningRate: 0.001, l2: 0.001, batchSize: 1 }, 'binary', (id) => new DenseEngine(engineSettings(id)));
    const block = population.learn(blocks(1)[0] as ScaledSample[], { learningRate: 0.003, l2: 0.002 });
    expect(block.hyperParams.learningRate).toBeCloseTo(0.003);
    expect(block.hyperParams.l2).toBeCloseTo(0.002);
    const rates = population.status().map((m) => m.learningRate);
    expect(rates).toEqual([0.001, 0.002, 0.0005]);
  });

  it('restores from a snapshot to the same state: the same predictions on the next block', () => {
    const make = () => new Population(settings({ size: 3, interval: 64 }), BASE, 'binary', (id) => new DenseEngine(engineSettings(id)));
    const population = make();
    const stream = blocks(12);
    for (const block of stream.slice(0, 10)) {
      population.learn(block, NO_SCALE);
      population.explore(false);
    }
    const snapshot = JSON.parse(JSON.stringify(population.snapshot()));
    const restored = make();
    restored.restore(snapshot);
    expect(restored.status()).toEqual(population.status());
    expect(restored.championId).toBe(population.championId);
    for (const block of stream.slice(10)) {
      expect(Array.from(restored.learn(block, NO_SCALE).predictions)).toEqual(Array.from(population.learn(block, NO_SCALE).predictions));
    }
    const small = new Population(settings({ size: 2 }), BASE, 'binary', (id) => new DenseEngine(engineSettings(id)));
    expect(() => small.restore(snapshot)).toThrow(CheckpointError);
    expect(() => small.restore(snapshot)).toThrow(/population of 3 members, this run has 2; set tuning.population.size/);
  });

  it('resets every member\'s Adam state and sets their weights from one list (the divergence guard)', () => {
    const population = new Population(settings({ size: 2 }), BASE, 'binary', (id) => new DenseEngine(engineSettings(id)));
    const before = population.getWeights();
    for (const block of blocks(3)) population.learn(block, NO_SCALE);
    expect(population.getWeights()).not.toEqual(before);
    population.setWeights(before);
    expect(population.getWeights()).toEqual(before);
    population.resetOptimizer();
    expect(population.champion.optimizerState).toEqual(new DenseEngine(engineSettings(0)).optimizerState);
  });
});
