import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { createTrainingParts, engineKind, engineSettings } from '../../src/training/TrainingParts.js';
import type { Schema } from '../../src/types.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const schema: Schema = { task: 'binary', features: ['a', 'b', 'c'], label: 'y', classes: 2 };

describe('createTrainingParts', () => {
  it('passes every model and optimizer setting of the config through to the engine', () => {
    const config = parseConfig({
      source: 'x.csv',
      model: { layers: [{ type: 'dense', units: 5, activation: 'tanh' }], initializer: 'heNormal', seed: 9 },
      optimizer: { learningRate: 0.02, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, amsgrad: true, clipNorm: 2 },
      l2: 0.0003,
    });
    expect(engineSettings(config, schema)).toEqual({
      task: 'binary',
      classes: 2,
      inputDim: 3,
      model: { layers: [{ type: 'dense', units: 5, activation: 'tanh' }], initializer: 'heNormal', seed: 9 },
      adam: { beta1: 0.8, beta2: 0.99, epsilon: 1e-6, amsgrad: true },
      learningRate: 0.02,
      l2: 0.0003,
      clipNorm: 2,
    });
    const parts = createTrainingParts(config, schema);
    try {
      expect(parts.engine.learningRate).toBe(0.02);
      expect(parts.engine.kind).toBe('dense'); // auto, without a native TF backend
      expect(parts.controls.hyperParams).toEqual({ learningRate: 0.02, l2: 0.0003 });
      expect(parts.scaler.settings.dim).toBe(3);
      expect(parts.monitor.detectors.map((d) => d.name)).toEqual(['pageHinkley']);
    } finally {
      parts.engine.dispose();
    }
  });

  it('standardizes regression targets and watches the loss with ADWIN unless told otherwise', () => {
    const config = parseConfig({ source: 'x.csv', task: 'regression' });
    const parts = createTrainingParts(config, { ...schema, task: 'regression' });
    try {
      expect(parts.scaler.settings.standardizeTarget).toBe(true);
      expect(parts.monitor.detectors.map((d) => d.name)).toEqual(['adwin']);
    } finally {
      parts.engine.dispose();
    }
  });

  it('builds the engine the config names; auto takes tfjs only with a native backend and a large model', () => {
    const base = { source: 'x.csv', model: { layers: [{ type: 'dense', units: 512 }] }, batch: { size: 128 } };
    for (const [engine, native, kind] of [
      ['tfjs', false, 'tfjs'],
      ['dense', true, 'dense'],
      ['auto', false, 'dense'],
      ['auto', true, 'tfjs'],
    ] as const) {
      expect(engineKind(parseConfig({ ...base, engine }), schema, { nativeBackend: native })).toBe(kind);
    }
    expect(engineKind(parseConfig({ source: 'x.csv', engine: 'auto' }), schema, { nativeBackend: true })).toBe('dense');
    const parts = createTrainingParts(parseConfig({ source: 'x.csv', engine: 'tfjs' }), schema);
    expect(parts.engine.kind).toBe('tfjs');
    parts.engine.dispose();
  });

  it("builds the population the config asks for: the configured model first, one model when tuning is off; the engine is the champion", () => {
    const config = parseConfig({ source: 'x.csv', tuning: { population: { size: 3 } }, model: { seed: 5 } });
    const parts = createTrainingParts(config, schema);
    try {
      expect(parts.population.size).toBe(3);
      expect(parts.population.status()[0]).toMatchObject({ learningRate: config.optimizer.learningRate, l2: config.l2, batchSize: config.batch.size });
      expect(parts.engine).toBe(parts.population.champion);
      // Members start from their own seeds (model.seed + id): different weights.
      const all = parts.population.getWeights();
      const per = all.length / 3;
      const [w0, w1] = [all[0], all[per]];
      expect(w1?.shape).toEqual(w0?.shape);
      expect(Array.from(w0?.values ?? [])).not.toEqual(Array.from(w1?.values ?? []));
      const alone = createTrainingParts(parseConfig({ source: 'x.csv', model: { seed: 5 } }), schema);
      expect(Array.from(alone.engine.getWeights()[0]?.values ?? [])).toEqual(Array.from(w0?.values ?? []));
      alone.population.dispose();
    } finally {
      parts.population.dispose();
    }
    const off = createTrainingParts(parseConfig({ source: 'x.csv', tuning: { enabled: false, population: { size: 3 } } }), schema);
    expect(off.population.size).toBe(1);
    off.population.dispose();
  });
});
