import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelError } from '../../src/errors.js';
import { chooseEngine } from '../../src/model/chooseEngine.js';
import { createEngine } from '../../src/model/createEngine.js';
import type { EngineKind } from '../../src/model/Engine.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('chooseEngine', () => {
  it('picks dense for per-record learning and the default model, with or without a native backend', () => {
    for (const nativeBackend of [false, true]) {
      expect(chooseEngine({ nativeBackend, hiddenUnits: [64], batchSize: 1, inputDim: 8 })).toBe('dense');
      expect(chooseEngine({ nativeBackend, hiddenUnits: [64], batchSize: 32, inputDim: 8 })).toBe('dense');
      expect(chooseEngine({ nativeBackend, hiddenUnits: [512, 512], batchSize: 1, inputDim: 100 })).toBe('dense');
    }
  });

  it('picks tfjs past the measured crossover (wide layers, large batches), earlier with a native backend', () => {
    expect(chooseEngine({ nativeBackend: false, hiddenUnits: [512], batchSize: 128, inputDim: 100 })).toBe('tfjs');
    expect(chooseEngine({ nativeBackend: false, hiddenUnits: [128], batchSize: 128, inputDim: 100 })).toBe('tfjs');
    expect(chooseEngine({ nativeBackend: false, hiddenUnits: [64], batchSize: 128, inputDim: 100 })).toBe('dense');
    expect(chooseEngine({ nativeBackend: true, hiddenUnits: [64], batchSize: 128, inputDim: 100 })).toBe('tfjs');
    expect(chooseEngine({ nativeBackend: false, hiddenUnits: [512], batchSize: 8, inputDim: 100 })).toBe('dense');
    // Depth counts: two 512-wide layers do ~6x the work of one.
    expect(chooseEngine({ nativeBackend: false, hiddenUnits: [512, 512], batchSize: 32, inputDim: 8 })).toBe('tfjs');
    expect(chooseEngine({ nativeBackend: false, hiddenUnits: [512], batchSize: 32, inputDim: 8 })).toBe('dense');
  });
});

describe('createEngine', () => {
  it('builds the engine of each kind from the same settings, with the same initial weights', () => {
    const settings = { task: 'binary', classes: 2, inputDim: 3, model: { layers: [{ type: 'dense', units: 4 }], seed: 2 } } as const;
    const kinds: EngineKind[] = ['dense', 'tfjs'];
    const [dense, tfjs] = kinds.map((kind) => createEngine(kind, settings));
    expect(dense!.kind).toBe('dense');
    expect(tfjs!.kind).toBe('tfjs');
    expect(dense!.getWeights()).toEqual(tfjs!.getWeights());
    dense!.dispose();
    tfjs!.dispose();
    expect(() => createEngine('torch' as EngineKind, settings)).toThrow(ModelError);
  });
});
