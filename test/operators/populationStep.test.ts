import { lastValueFrom, of, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { populationStep } from '../../operators/populationStep.js';
import { tune } from '../../operators/tune.js';
import type { DriftDetection } from '../../src/drift/DriftMonitor.js';
import type { Evaluation } from '../../src/eval/Evaluator.js';
import { DenseEngine } from '../../src/model/dense/DenseEngine.js';
import type { Engine } from '../../src/model/Engine.js';
import type { Explored } from '../../src/tune/explore.js';
import { Population } from '../../src/tune/Population.js';
import { populationSchema } from '../../src/tune/populationSchema.js';
import type { ScaledSample, ScoredBatch } from '../../src/types.js';

/** A regression member that always outputs `out` (in scaled units) and reports step loss `loss`. */
function constant(out: number, loss: number): Engine {
  const engine = new DenseEngine({
    task: 'regression',
    classes: 1,
    inputDim: 1,
    model: { layers: [], initializer: 'glorotUniform', seed: 1 },
    adam: { beta1: 0, beta2: 0.99, epsilon: 1e-7, amsgrad: false },
    learningRate: 0.01,
    l2: 0,
  });
  const rows = (n: number) => new Float32Array(n).fill(out);
  return Object.assign(engine, {
    predict: (_x: Float32Array, n: number) => rows(n),
    step: (_x: Float32Array, _y: Float32Array, n: number) => ({ loss, dataLoss: loss, gradNorm: 0, predictions: rows(n), applied: true }),
  });
}

function samples(n: number, target: number): ScaledSample[] {
  return Array.from({ length: n }, (_, i) => ({
    index: i,
    position: `t:${i}`,
    x: Float32Array.of(i),
    y: target * 10 + 100,
    split: 'train' as const,
    z: Float32Array.of(i),
    target,
    targetShift: 100,
    targetScale: 10,
  }));
}

describe('populationStep', () => {
  it("scores a block with the champion's predictions in target units, with its loss and hyperparameters", async () => {
    const settings = populationSchema.parse({ size: 2, interval: 1e9 });
    const outputs = [0.5, 2];
    const population = new Population(settings, { learningRate: 0.01, l2: 0, batchSize: 1 }, 'regression', (id) => constant(outputs[id]!, id + 1));
    const controls = { hyperParams: { learningRate: 0.01, l2: 0 } };
    const scored = await lastValueFrom(of(samples(4, 2), samples(4, 2)).pipe(populationStep(population, controls), toArray()));
    // First block: the starting member (0.5 -> 0.5 * 10 + 100); then member 1 (exactly right at 2) is the champion.
    expect(Array.from(scored[0]!.predictions)).toEqual([105, 105, 105, 105]);
    expect(scored[0]).toMatchObject({ loss: 1, steps: 4, width: 1, applied: true, hyperParams: { learningRate: 0.01, l2: 0 } });
    expect(Array.from(scored[1]!.predictions)).toEqual([120, 120, 120, 120]);
    expect(scored[1]).toMatchObject({ loss: 2, hyperParams: { learningRate: 0.02, l2: 0 } }); // member 1 starts at lr * perturb
  });
});

describe('tune with a population', () => {
  const change: Explored = {
    member: 3,
    from: 0,
    old: { learningRate: 0.008, l2: 0, batchSize: 1 },
    params: { learningRate: 0.004, l2: 0, batchSize: 4 },
    loss: 0.6,
    fromLoss: 0.4,
  };
  const report = (drift: DriftDetection | null) => ({
    batch: { loss: 0.5, applied: true } as ScoredBatch,
    evaluation: { window: { train: { mse: 0.2, crossEntropy: 0.5 }, holdout: { mse: 0.2, crossEntropy: 0.5 } } } as Evaluation,
    counts: { total: 320, batches: 10 },
    drift,
  });

  it("adds the population's round to the decision's events, and tells it whether a drift was detected", async () => {
    const asked: boolean[] = [];
    const population = { explore: (drift: boolean) => (asked.push(drift), drift ? [change] : []) };
    const hp = { learningRate: 0.002, l2: 0 };
    const tuner = { decide: () => ({ hp, events: [], actions: [] }) };
    const controls = { hyperParams: hp, apply: () => undefined };
    const drift = { detector: 'pageHinkley', signal: 'prequential_error', index: 300 } as unknown as DriftDetection;
    const out = await lastValueFrom(of(report(null), report(drift)).pipe(tune(tuner, { task: 'binary', controls, population, now: () => 'T' }), toArray()));
    expect(asked).toEqual([false, true]);
    expect(out[0]!.decision.events).toEqual([]);
    expect(out[1]!.decision.events.map((e) => [e.reason, e.param, e.old, e.new])).toEqual([
      ['population', 'weights', null, null],
      ['population', 'learningRate', 0.008, 0.004],
      ['population', 'batchSize', 1, 4],
    ]);
    expect(out[1]!.decision.hp).toBe(hp);
    // Paused by an operator: nobody learns, so no round runs, drift or not.
    const paused = await lastValueFrom(of(report(drift)).pipe(tune(tuner, { task: 'binary', controls: { ...controls, paused: true }, population, now: () => 'T' })));
    expect(asked).toEqual([false, true]);
    expect(paused.decision.events).toEqual([]);
  });
});
