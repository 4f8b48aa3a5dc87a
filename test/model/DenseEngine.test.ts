import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DenseEngine } from '../../src/model/dense/DenseEngine.js';
import { batch, normals } from './batches.js';
import { engineContract } from './engineContract.js';

beforeAll(async () => {
  await tf.setBackend('cpu'); // the initial weights come from TF.js's initializers
});

engineContract('dense', (settings) => new DenseEngine(settings));

describe('DenseEngine with dropout', () => {
  it('trains through the layers before the first dropout exactly as without it (the inference pass is reused there)', () => {
    const layers = [
      { type: 'dense', units: 6, activation: 'tanh' },
      { type: 'dense', units: 5, activation: 'relu' },
    ] as const;
    const settings = (withDropout: boolean) => ({
      task: 'binary' as const,
      classes: 2,
      inputDim: 3,
      learningRate: 0.05,
      model: { layers: withDropout ? [layers[0], { type: 'dropout' as const, rate: 1e-12 }, layers[1]] : [...layers], seed: 9 },
    });
    const plain = new DenseEngine(settings(false));
    const dropped = new DenseEngine(settings(true)); // a dropout that never drops: same maths, the dropout path
    dropped.setWeights(plain.getWeights()); // the layer indexes, and so the initializers' seeds, differ
    const rand = normals(4);
    for (let i = 0; i < 200; i++) {
      const b = batch(rand, 4, 3, (row) => (row[0]! - row[2]! > 0 ? 1 : 0));
      const p = Array.from(plain.step(b.x, b.y, b.n).predictions);
      const d = Array.from(dropped.step(b.x, b.y, b.n).predictions);
      d.forEach((v, k) => expect(v).toBeCloseTo(p[k]!, 6));
    }
    const a = plain.getWeights();
    dropped.getWeights().forEach((w, i) => w.values.forEach((v, k) => expect(v).toBeCloseTo(a[i]!.values[k]!, 5)));
  });
});
