/**
 * The two engines behind one interface: train with the dense one, move its state into the TF.js
 * one (checkpoints are interchangeable), and get the same predictions.
 * `npm test` runs it (test/docs/examples.test.ts); copy it and import from the package (`streamtune`) to use it.
 */
import { createEngine } from '../../src/model/createEngine.js';
import type { EngineSettings } from '../../src/model/EngineSettings.js';

export function engines() {
  const settings: EngineSettings = {
    task: 'binary',
    classes: 2,
    inputDim: 2,
    model: { layers: [{ type: 'dense', units: 8, activation: 'tanh' }], seed: 3 },
    learningRate: 0.05,
  };
  const dense = createEngine('dense', settings);
  for (let i = 0; i < 500; i++) {
    const a = Math.sin(i);
    const b = Math.cos(i * 1.3);
    dense.step(Float32Array.of(a, b), Float32Array.of(a + b > 0 ? 1 : 0), 1);
  }
  const tfjs = createEngine('tfjs', settings);
  tfjs.restore(dense.snapshot());
  const probe = Float32Array.of(0.5, 0.5, -0.5, -0.5);
  const result = { dense: Array.from(dense.predict(probe, 2)), tfjs: Array.from(tfjs.predict(probe, 2)), steps: dense.iterations };
  dense.dispose();
  tfjs.dispose();
  return result;
}

