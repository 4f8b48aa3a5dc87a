import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { WeightData } from '../../src/model/Engine.js';
import type { EngineSettings } from '../../src/model/EngineSettings.js';
import { DenseEngine } from '../../src/model/dense/DenseEngine.js';
import { ACTIVATIONS, type Activation } from '../../src/model/ModelSpec.js';
import { Trainer } from '../../src/model/Trainer.js';
import type { Task } from '../../src/types.js';
import { batch, normals } from './batches.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** ||a - b|| / max(||b||, 1e-8) per tensor: the relative distance of a weight tensor to its reference. */
function relativeDistance(a: WeightData, b: WeightData): number {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < b.values.length; i++) {
    diff += (a.values[i]! - b.values[i]!) ** 2;
    norm += b.values[i]! ** 2;
  }
  return Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-8);
}

const labels: Record<Task, (r: number[]) => number> = {
  binary: (r) => Number(r[0]! + r[1]! * r[2]! > 0),
  multiclass: (r) => (r[0]! > 0.5 ? 2 : r[1]! - r[3]! > 0 ? 1 : 0),
  regression: (r) => 2 * r[0]! - r[3]! * r[1]! + Math.sin(r[2]!),
};

// Every activation, every task, AMSGrad on and off: 6 runs of 4 -> 8 -> 8 (-> 8) -> out, 1,000
// steps of batch 8 each (the time goes to TF.js, ~2-4 ms a step on the cpu backend).
const runs: { task: Task; amsgrad: boolean; hidden: Activation[]; clipNorm?: number }[] = [
  { task: 'binary', amsgrad: false, hidden: ['relu', 'gelu'] },
  { task: 'binary', amsgrad: true, hidden: ['elu', 'selu'], clipNorm: 0.5 },
  { task: 'multiclass', amsgrad: false, hidden: ['tanh', 'sigmoid'] },
  { task: 'multiclass', amsgrad: true, hidden: ['hardSigmoid', 'softplus'] },
  { task: 'regression', amsgrad: false, hidden: ['softsign', 'swish'], clipNorm: 1 },
  { task: 'regression', amsgrad: true, hidden: ['mish', 'relu6', 'linear'] },
];

const settingsOf = (run: (typeof runs)[number]): EngineSettings => ({
  task: run.task,
  classes: 3,
  inputDim: 4,
  model: { layers: run.hidden.map((activation) => ({ type: 'dense', units: 8, activation })), seed: 17 },
  adam: { amsgrad: run.amsgrad },
  learningRate: 0.01,
  l2: 0.001,
  ...(run.clipNorm === undefined ? {} : { clipNorm: run.clipNorm }),
});

describe('dense vs tfjs engine parity', () => {
  it('covers every activation', () => {
    expect(new Set(runs.flatMap((r) => r.hidden))).toEqual(new Set(ACTIVATIONS));
  });

  for (const run of runs) {
    it(`agrees within 1e-4 after 1,000 steps: ${run.task}, amsgrad ${run.amsgrad}, [${run.hidden}]`, () => {
      const settings = settingsOf(run);
      const tfjs = new Trainer(settings);
      const dense = new DenseEngine(settings);
      expect(dense.getWeights()).toEqual(tfjs.getWeights()); // the same initial weights, bit for bit
      const rand = normals(run.hidden.length * 31 + run.task.length);
      let worstPrediction = 0;
      let worstLoss = 0;
      for (let s = 0; s < 1000; s++) {
        const b = batch(rand, 8, 4, labels[run.task]);
        const a = tfjs.step(b.x, b.y, b.n);
        const d = dense.step(b.x, b.y, b.n);
        expect(d.applied).toBe(a.applied);
        worstLoss = Math.max(worstLoss, Math.abs(a.loss - d.loss) / Math.max(Math.abs(a.loss), 1));
        for (let i = 0; i < a.predictions.length; i++) {
          worstPrediction = Math.max(worstPrediction, Math.abs(a.predictions[i]! - d.predictions[i]!));
        }
      }
      expect(dense.iterations).toBe(1000);
      const reference = tfjs.getWeights();
      const moved = dense.getWeights().map((w, i) => relativeDistance(w, reference[i]!));
      expect(Math.max(...moved)).toBeLessThan(1e-4);
      expect(worstPrediction).toBeLessThan(1e-3);
      expect(worstLoss).toBeLessThan(1e-3);
      // The weights did move: the comparison is not of two untouched models.
      const initial = new DenseEngine(settings).getWeights();
      expect(Math.max(...reference.map((w, i) => relativeDistance(w, initial[i]!)))).toBeGreaterThan(0.05);
      tfjs.dispose();
    });
  }

  it('interchanges checkpoints: dense -> tfjs -> dense, predictions equal within 1e-5', () => {
    const settings: EngineSettings = {
      task: 'multiclass',
      classes: 3,
      inputDim: 4,
      model: { layers: [{ type: 'dense', units: 8, activation: 'gelu' }, { type: 'dropout', rate: 0.2 }, { type: 'dense', units: 8 }], seed: 3 },
      adam: { amsgrad: true },
      learningRate: 0.01,
    };
    const rand = normals(99);
    const next = () => batch(rand, 8, 4, labels.multiclass);
    const dense = new DenseEngine(settings);
    for (let s = 0; s < 50; s++) {
      const b = next();
      dense.step(b.x, b.y, b.n);
    }
    const tfjs = new Trainer({ ...settings, model: { ...settings.model, seed: 4 } });
    tfjs.restore(JSON.parse(JSON.stringify(dense.snapshot())));
    expect(tfjs.getWeights()).toEqual(dense.getWeights());
    expect(tfjs.optimizerState).toEqual(dense.optimizerState);
    const probe = batch(rand, 32, 4, labels.multiclass);
    const close = (a: Float32Array, b: Float32Array): void => {
      expect(a.length).toBe(b.length);
      a.forEach((v, i) => expect(Math.abs(v - b[i]!)).toBeLessThan(1e-5));
    };
    close(tfjs.predict(probe.x, probe.n).slice(), dense.predict(probe.x, probe.n));
    // Train on with tfjs, then back into a fresh dense engine.
    for (let s = 0; s < 20; s++) {
      const b = next();
      tfjs.step(b.x, b.y, b.n);
    }
    const back = new DenseEngine({ ...settings, model: { ...settings.model, seed: 5 } });
    back.restore(JSON.parse(JSON.stringify(tfjs.snapshot())));
    expect(back.iterations).toBe(70);
    expect(back.snapshot()).toEqual(tfjs.snapshot());
    close(back.predict(probe.x, probe.n).slice(), tfjs.predict(probe.x, probe.n));
    tfjs.dispose();
  });
});
