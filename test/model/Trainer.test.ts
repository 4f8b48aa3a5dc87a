import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ModelSpec } from '../../src/model/ModelSpec.js';
import { Trainer } from '../../src/model/Trainer.js';
import { batch, normals } from './batches.js';

// The behaviour shared with the dense engine is tested by engineContract (TfjsEngine.test.ts);
// what is particular to the TF.js engine is here.

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('Trainer (tfjs engine)', () => {
  it('reports the live TF.js tensors as its count, flat over steps with dropout and skipped steps', () => {
    const rand = normals(12);
    const spec: ModelSpec = { layers: [{ type: 'dense', units: 8 }, { type: 'dropout', rate: 0.2 }], seed: 1 };
    const trainer = new Trainer({ task: 'multiclass', classes: 3, inputDim: 2, model: spec, adam: { amsgrad: true }, clipNorm: 1 });
    const b = batch(rand, 16, 2, (r) => (r[0]! > 0 ? 1 : 2));
    trainer.step(b.x, b.y, b.n);
    const count = tf.memory().numTensors;
    expect(trainer.numTensors).toBe(count);
    for (let i = 0; i < 200; i++) {
      if (i === 100) b.x[0] = NaN;
      if (i === 101) b.x[0] = 0;
      trainer.step(b.x, b.y, b.n);
      trainer.predict(b.x, b.n);
    }
    expect(tf.memory().numTensors).toBe(count);
    trainer.dispose();
    expect(tf.memory().numTensors).toBeLessThan(count);
  });

  it('is the tfjs engine and keeps its old type names', () => {
    const trainer = new Trainer({ task: 'binary', classes: 2, inputDim: 2, model: { layers: [], seed: 1 } });
    expect(trainer.kind).toBe('tfjs');
    expect(trainer.width).toBe(1);
    trainer.dispose();
  });
});
