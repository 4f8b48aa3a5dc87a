/**
 * The model's shape as plain data: hidden layers, weight initializer and seed.
 * The output layer is not listed: `buildModel` adds it from the task.
 *
 * @example
 * const spec: ModelSpec = {
 *   layers: [{ type: 'dense', units: 32, activation: 'relu' }, { type: 'dropout', rate: 0.1 }],
 *   initializer: 'glorotUniform',
 *   seed: 42,
 * };
 */

/** Activations a hidden dense layer may use (the ones TF.js layers provide). */
export const ACTIVATIONS = [
  'linear',
  'relu',
  'relu6',
  'elu',
  'selu',
  'tanh',
  'sigmoid',
  'hardSigmoid',
  'softplus',
  'softsign',
  'swish',
  'mish',
  'gelu',
] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/** Seedable kernel initializers (the ones TF.js provides; biases always start at zero). */
export const INITIALIZERS = [
  'glorotUniform',
  'glorotNormal',
  'heNormal',
  'heUniform',
  'lecunNormal',
  'lecunUniform',
  'randomNormal',
  'randomUniform',
  'truncatedNormal',
  'zeros',
] as const;
export type Initializer = (typeof INITIALIZERS)[number];

/** A fully connected hidden layer. `activation` defaults to `relu`, `initializer` to the spec's. */
export interface DenseSpec {
  readonly type: 'dense';
  readonly units: number;
  readonly activation?: Activation;
  readonly initializer?: Initializer;
}

/** Dropout between hidden layers: drops a fraction `rate` in [0, 1) of its inputs while training. */
export interface DropoutSpec {
  readonly type: 'dropout';
  readonly rate: number;
}

export type LayerSpec = DenseSpec | DropoutSpec;

export interface ModelSpec {
  /** Hidden layers, input side first; empty for a linear / logistic model. */
  readonly layers: readonly LayerSpec[];
  /** Kernel initializer of every dense layer that names none (output layer included); default `glorotUniform`. */
  readonly initializer?: Initializer;
  /** Seed of the initializers and dropout masks: equal seeds build equal models. */
  readonly seed: number;
}
