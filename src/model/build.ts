import * as tf from '@tensorflow/tfjs';
import { ModelError } from '../errors.js';
import type { Task } from '../types.js';
import { deriveSeed } from './deriveSeed.js';
import type { Initializer, ModelSpec } from './ModelSpec.js';

/** What the task decides about the model: its input width and output layer. */
export interface ModelShape {
  readonly task: Task;
  readonly inputDim: number;
  /** Number of classes (multiclass only). */
  readonly classes: number;
}

/**
 * Builds the network of a spec: its hidden layers, then the task's output layer
 * (binary: Dense(1, sigmoid); regression: Dense(1, linear); multiclass: Dense(classes, softmax)).
 * Every initializer and dropout layer gets its own seed derived from `spec.seed`, so two builds
 * with the same spec have identical weights and dropout masks.
 *
 * @example
 * const model = buildModel({ layers: [{ type: 'dense', units: 8 }], seed: 1 }, { task: 'binary', inputDim: 4, classes: 2 });
 * model.predict(tf.zeros([1, 4])); // P(y=1), shape [1, 1]
 */
export function buildModel(spec: ModelSpec, shape: ModelShape): tf.Sequential {
  validate(spec, shape);
  const model = tf.sequential();
  const defaultInit = spec.initializer ?? 'glorotUniform';
  let inputShape: number[] | undefined = [shape.inputDim];
  spec.layers.forEach((layer, i) => {
    const seed = deriveSeed(spec.seed, i);
    model.add(
      layer.type === 'dense'
        ? tf.layers.dense({
            inputShape,
            units: layer.units,
            activation: layer.activation ?? 'relu',
            kernelInitializer: initializer(layer.initializer ?? defaultInit, seed),
          })
        : new SeededDropout({ inputShape, rate: layer.rate, seed }),
    );
    inputShape = undefined;
  });
  const output = {
    binary: { units: 1, activation: 'sigmoid' },
    regression: { units: 1, activation: 'linear' },
    multiclass: { units: shape.classes, activation: 'softmax' },
  } as const satisfies Record<Task, { units: number; activation: string }>;
  model.add(
    tf.layers.dense({
      inputShape,
      ...output[shape.task],
      kernelInitializer: initializer(defaultInit, deriveSeed(spec.seed, spec.layers.length)),
    }),
  );
  return model;
}

/**
 * Dropout whose masks come from a seeded sequence: call k of the layer uses seed `f(seed, k)`,
 * so masks differ from step to step yet repeat across builds (TF.js's own Dropout reuses one
 * fixed seed for every call, which would drop the same units forever).
 */
class SeededDropout extends tf.layers.Layer {
  static className = 'StreamtuneSeededDropout';
  private readonly rate: number;
  private readonly seed: number;
  private calls = 0;

  constructor(args: { rate: number; seed: number; inputShape?: number[] }) {
    super(args.inputShape ? { inputShape: args.inputShape } : {});
    this.rate = args.rate;
    this.seed = args.seed;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (x === undefined) throw new ModelError('dropout layer called without an input');
    if (kwargs.training !== true || this.rate === 0) return x;
    this.calls += 1;
    return tf.dropout(x, this.rate, undefined, deriveSeed(this.seed, this.calls));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}
tf.serialization.registerClass(SeededDropout);

function initializer(name: Initializer, seed: number): ReturnType<typeof tf.initializers.zeros> {
  switch (name) {
    case 'glorotUniform':
      return tf.initializers.glorotUniform({ seed });
    case 'glorotNormal':
      return tf.initializers.glorotNormal({ seed });
    case 'heNormal':
      return tf.initializers.heNormal({ seed });
    case 'heUniform':
      return tf.initializers.heUniform({ seed });
    case 'lecunNormal':
      return tf.initializers.leCunNormal({ seed });
    case 'lecunUniform':
      return tf.initializers.leCunUniform({ seed });
    case 'randomNormal':
      return tf.initializers.randomNormal({ mean: 0, stddev: 0.05, seed });
    case 'randomUniform':
      return tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed });
    case 'truncatedNormal':
      return tf.initializers.truncatedNormal({ mean: 0, stddev: 0.05, seed });
    case 'zeros':
      return tf.initializers.zeros();
  }
}

function validate(spec: ModelSpec, shape: ModelShape): void {
  const positiveInt = (v: number): boolean => Number.isInteger(v) && v > 0;
  if (!positiveInt(shape.inputDim)) throw new ModelError(`inputDim must be a positive integer, got ${shape.inputDim}`);
  if (shape.task === 'multiclass' && !(Number.isInteger(shape.classes) && shape.classes >= 2)) {
    throw new ModelError(`classes must be an integer >= 2 for a multiclass task, got ${shape.classes}`);
  }
  if (!Number.isFinite(spec.seed)) throw new ModelError(`model.seed must be a finite number, got ${spec.seed}`);
  spec.layers.forEach((layer, i) => {
    if (layer.type === 'dense' && !positiveInt(layer.units)) {
      throw new ModelError(`model.layers[${i}].units must be a positive integer, got ${layer.units}`);
    }
    if (layer.type === 'dropout' && !(layer.rate >= 0 && layer.rate < 1)) {
      throw new ModelError(`model.layers[${i}].rate must be in [0, 1), got ${layer.rate}`);
    }
  });
}
