import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelError } from '../../src/errors.js';
import { buildModel } from '../../src/model/build.js';
import { ACTIVATIONS, INITIALIZERS, type ModelSpec } from '../../src/model/ModelSpec.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const weightsOf = (model: tf.LayersModel): number[][] => model.getWeights().map((w) => Array.from(w.dataSync()));

const output = (model: tf.LayersModel, x: tf.Tensor, training = false): number[][] =>
  tf.tidy(() => (model.apply(x, { training }) as tf.Tensor).arraySync() as number[][]);

const hidden: ModelSpec = {
  layers: [
    { type: 'dense', units: 6, activation: 'tanh' },
    { type: 'dense', units: 6 },
  ],
  seed: 7,
};

describe('buildModel', () => {
  it('adds the output layer the task needs', () => {
    const x = tf.randomNormal([5, 3], 0, 1, 'float32', 3);
    const binary = buildModel(hidden, { task: 'binary', inputDim: 3, classes: 2 });
    const regression = buildModel(hidden, { task: 'regression', inputDim: 3, classes: 2 });
    const multiclass = buildModel(hidden, { task: 'multiclass', inputDim: 3, classes: 4 });
    expect(binary.outputs[0]?.shape).toEqual([null, 1]);
    expect(regression.outputs[0]?.shape).toEqual([null, 1]);
    expect(multiclass.outputs[0]?.shape).toEqual([null, 4]);
    for (const [p] of output(binary, x)) {
      expect(p).toBeGreaterThan(0);
      expect(p).toBeLessThan(1);
    }
    for (const row of output(multiclass, x)) expect(row.reduce((a, b) => a + b)).toBeCloseTo(1, 5);
    // Regression output is the linear map of the last hidden activations: compare with a manual matMul.
    const kernel = regression.layers[2]?.getWeights()[0] as tf.Tensor;
    const bias = regression.layers[2]?.getWeights()[1] as tf.Tensor;
    const [l0, l1] = regression.layers as [tf.layers.Layer, tf.layers.Layer];
    const h = tf.tidy(() => l1.apply(l0.apply(x)) as tf.Tensor);
    const manual = tf.tidy(() => tf.add(tf.matMul(h, kernel), bias).arraySync() as number[][]);
    output(regression, x).forEach((row, i) => expect(row[0]).toBeCloseTo(manual[i]?.[0] as number, 5));
    tf.dispose([x, h]);
    [binary, regression, multiclass].forEach((m) => m.dispose());
  });

  it('is deterministic in the seed, with distinct streams per layer', () => {
    const a = buildModel(hidden, { task: 'binary', inputDim: 6, classes: 2 });
    const b = buildModel(hidden, { task: 'binary', inputDim: 6, classes: 2 });
    const c = buildModel({ ...hidden, seed: 8 }, { task: 'binary', inputDim: 6, classes: 2 });
    expect(weightsOf(b)).toEqual(weightsOf(a));
    expect(weightsOf(c)).not.toEqual(weightsOf(a));
    // Both hidden kernels are 6x6 with the same initializer: only distinct seeds make them differ.
    const [k1, , k2] = weightsOf(a);
    expect(k1).toHaveLength(36);
    expect(k2).not.toEqual(k1);
    [a, b, c].forEach((m) => m.dispose());
  });

  it('supports every listed initializer, seeded', () => {
    for (const initializer of INITIALIZERS) {
      const spec: ModelSpec = { layers: [{ type: 'dense', units: 4 }], initializer, seed: 3 };
      const a = weightsOf(buildModel(spec, { task: 'regression', inputDim: 5, classes: 2 }));
      const b = weightsOf(buildModel(spec, { task: 'regression', inputDim: 5, classes: 2 }));
      expect(b, initializer).toEqual(a);
      const kernel = a[0] as number[];
      if (initializer === 'zeros') expect(kernel.every((w) => w === 0)).toBe(true);
      else expect(new Set(kernel).size, initializer).toBe(kernel.length);
      expect((a[1] as number[]).every((w) => w === 0)).toBe(true); // biases start at zero
    }
  });

  it('uses a per-layer initializer over the default', () => {
    const spec: ModelSpec = {
      layers: [{ type: 'dense', units: 3, initializer: 'zeros' }],
      initializer: 'heNormal',
      seed: 1,
    };
    const [k1, , k2] = weightsOf(buildModel(spec, { task: 'regression', inputDim: 3, classes: 2 }));
    expect(k1?.every((w) => w === 0)).toBe(true);
    expect(k2?.some((w) => w !== 0)).toBe(true);
  });

  it('supports every listed activation', () => {
    const x = tf.linspace(-3, 3, 12).reshape([4, 3]);
    for (const activation of ACTIVATIONS) {
      const model = buildModel(
        { layers: [{ type: 'dense', units: 4, activation }], seed: 2 },
        { task: 'regression', inputDim: 3, classes: 2 },
      );
      const flat = output(model, x).flat();
      expect(flat.every(Number.isFinite), activation).toBe(true);
      model.dispose();
    }
    x.dispose();
  });

  it('drops out only in training, with masks that change per call and repeat per build', () => {
    const spec: ModelSpec = { layers: [{ type: 'dense', units: 32 }, { type: 'dropout', rate: 0.5 }], seed: 11 };
    const shape = { task: 'regression', inputDim: 2, classes: 2 } as const;
    const a = buildModel(spec, shape);
    const b = buildModel(spec, shape);
    const x = tf.ones([3, 2]);
    const inference = output(a, x);
    expect(output(a, x)).toEqual(inference);
    const first = output(a, x, true);
    const second = output(a, x, true);
    expect(first).not.toEqual(inference);
    expect(second).not.toEqual(first);
    expect([output(b, x, true), output(b, x, true)]).toEqual([first, second]);
    // Masks scale the kept units by 1 / (1 - rate): the mean over many calls approaches inference.
    const hiddenModel = tf.sequential({ layers: [a.layers[0] as tf.layers.Layer, a.layers[1] as tf.layers.Layer] });
    const mean = tf.tidy(() => {
      const draws = Array.from({ length: 400 }, () => hiddenModel.apply(x, { training: true }) as tf.Tensor);
      return tf.mean(tf.stack(draws), 0).arraySync() as number[][];
    });
    const exact = tf.tidy(() => hiddenModel.apply(x) as tf.Tensor).arraySync() as number[][];
    mean.flat().forEach((m, i) => expect(m).toBeCloseTo(exact.flat()[i] as number, 0));
    x.dispose();
    [a, b].forEach((m) => m.dispose());
  });

  it('names the offending field when the spec is invalid', () => {
    const shape = { task: 'binary', inputDim: 2, classes: 2 } as const;
    expect(() => buildModel({ layers: [{ type: 'dense', units: 0 }], seed: 1 }, shape)).toThrow(/layers\[0\]\.units/);
    expect(() => buildModel({ layers: [{ type: 'dropout', rate: 1 }], seed: 1 }, shape)).toThrow(/layers\[0\]\.rate/);
    expect(() => buildModel({ layers: [], seed: 1 }, { ...shape, task: 'multiclass', classes: 1 })).toThrow(ModelError);
    expect(() => buildModel({ layers: [], seed: 1 }, { ...shape, inputDim: 0 })).toThrow(/inputDim/);
  });
});
