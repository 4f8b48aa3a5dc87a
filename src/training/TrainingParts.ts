import type { Config } from '../config.js';
import type { DetectorSpec } from '../drift/createDetector.js';
import { DriftMonitor } from '../drift/DriftMonitor.js';
import { Evaluator } from '../eval/Evaluator.js';
import { chooseEngine } from '../model/chooseEngine.js';
import { createEngine } from '../model/createEngine.js';
import type { Engine, EngineKind } from '../model/Engine.js';
import type { EngineSettings } from '../model/EngineSettings.js';
import { Lags } from '../records/Lags.js';
import { emptyCounts, type RecordCounts } from '../records/RecordCounts.js';
import { Standardizer } from '../stats/Standardizer.js';
import { Controls } from '../tune/Controls.js';
import { Population } from '../tune/Population.js';
import { Tuner } from '../tune/Tuner.js';
import type { Schema } from '../types.js';
import type { LabelJoin } from './LabelJoin.js';
import { createLabelJoin } from './labelsSource.js';

/** Everything stateful in a training run, built from one config and schema: what a checkpoint holds. */
export interface TrainingParts {
  /** The model the run reports, checkpoints and exports: the population's champion. */
  readonly engine: Engine;
  /** The models learning the stream (one unless `tuning.population.size` says more). */
  readonly population: Population;
  /** Temporal features: each entity's recent labels and feature values (appended to the features). */
  readonly lags: Lags;
  readonly scaler: Standardizer;
  readonly evaluator: Evaluator;
  readonly monitor: DriftMonitor;
  readonly tuner: Tuner;
  /** The one owner of the hyperparameters in force (read by the train step, written by the tuner). */
  readonly controls: Controls;
  readonly counts: RecordCounts;
  /** Labels that arrive later: the records waiting for them (only with `labels.source`). */
  readonly labels?: LabelJoin;
}

/**
 * Turns a config and the schema of a source into the training parts, with fresh state; the one
 * place that does it (train, tests and bench all call it), so every setting reaches its part.
 *
 * @example
 * const parts = createTrainingParts(parseConfig({ source: 'synth:sea' }), schema);
 * await runPipeline({ config, schema, records, parts, onRejected });
 */
export function createTrainingParts(config: Config, schema: Schema, options: PartsOptions = {}): TrainingParts {
  const lags = createLags(config, schema);
  const model = modelSchema(schema, lags);
  const population = createPopulation(config, model, options);
  const scaler = createScaler(config, model);
  const hyperParams = { learningRate: config.optimizer.learningRate, l2: config.l2 };
  return {
    get engine() {
      return population.champion;
    },
    population,
    lags,
    scaler,
    evaluator: createEvaluator(config, schema),
    monitor: createMonitor(config, schema),
    tuner: new Tuner(config.tuning),
    controls: new Controls(hyperParams, { engine: population, scaler }),
    counts: emptyCounts(),
    ...(config.labels.source === undefined ? {} : { labels: createLabelJoin(config, schema, scaler, () => population.champion) }),
  };
}

/**
 * The population a config asks for: `tuning.population.size` members (one when tuning is off),
 * the first being the configured model; member i starts from the seed `model.seed + i`.
 */
export function createPopulation(config: Config, schema: Schema, options: PartsOptions = {}): Population {
  const kind = engineKind(config, schema, options);
  const settings = engineSettings(config, schema);
  const population = config.tuning.enabled ? config.tuning.population : { ...config.tuning.population, size: 1 };
  const base = { learningRate: config.optimizer.learningRate, l2: config.l2, batchSize: config.batch.size };
  return new Population(population, base, schema.task, (id) =>
    createEngine(kind, { ...settings, model: { ...settings.model, seed: settings.model.seed + id } }),
  );
}

/** The lag state a config asks for (none by default). */
export function createLags(config: Config, schema: Pick<Schema, 'features' | 'label'>): Lags {
  return new Lags(config.lags, schema);
}

/** The schema the model sees: the source's features, then the lagged columns (`class@1`, ...). */
export function modelSchema(schema: Schema, lags: Pick<Lags, 'names'>): Schema {
  return lags.names.length === 0 ? schema : { ...schema, features: [...schema.features, ...lags.names] };
}

export interface PartsOptions {
  /** True when a native TensorFlow backend (tfjs-node, tfjs-node-gpu) is active: `engine: auto` may then pick tfjs. */
  readonly nativeBackend?: boolean;
}

/** The engine `config.engine` asks for; `auto` decides by the model's size, the batch and the backend. */
export function engineKind(config: Config, schema: Schema, options: PartsOptions = {}): EngineKind {
  if (config.engine !== 'auto') return config.engine;
  return chooseEngine({
    nativeBackend: options.nativeBackend ?? false,
    hiddenUnits: config.model.layers.flatMap((l) => (l.type === 'dense' ? [l.units] : [])),
    batchSize: config.batch.size,
    inputDim: schema.features.length,
  });
}

/** The engine settings of a config: model shape, Adam, initial learning rate and L2, clipping. */
export function engineSettings(config: Config, schema: Schema): EngineSettings {
  const { model, optimizer } = config;
  return {
    task: schema.task,
    classes: schema.classes,
    inputDim: schema.features.length,
    model: { layers: model.layers, initializer: model.initializer, seed: model.seed },
    adam: { beta1: optimizer.beta1, beta2: optimizer.beta2, epsilon: optimizer.epsilon, amsgrad: optimizer.amsgrad },
    learningRate: optimizer.learningRate,
    l2: config.l2,
    ...(optimizer.clipNorm === undefined ? {} : { clipNorm: optimizer.clipNorm }),
  };
}

/** The scaler a config asks for (regression targets are standardized unless told otherwise). */
export function createScaler(config: Config, schema: Schema): Standardizer {
  return new Standardizer({
    dim: schema.features.length,
    halfLife: config.standardize.halfLife,
    clip: config.standardize.clip,
    standardizeTarget: config.standardize.target ?? schema.task === 'regression',
  });
}

export function createEvaluator(config: Config, schema: Pick<Schema, 'task' | 'classes'>): Evaluator {
  return new Evaluator({ task: schema.task, classes: schema.classes, window: config.eval.window });
}

/** The drift monitor a config asks for (the signal defaults to the prequential error, or loss for regression). */
export function createMonitor(config: Config, schema: Pick<Schema, 'task'>): DriftMonitor {
  return new DriftMonitor({
    task: schema.task,
    signal: config.drift.signal ?? (schema.task === 'regression' ? 'prequential_loss' : 'prequential_error'),
    detectors: (config.drift.detectors as DetectorSpec[] | undefined) ?? defaultDetectors(schema.task),
  });
}

/**
 * Classification: Page-Hinkley on the 0/1 error, looking for increases only (a falling error is
 * learning, not drift). On SEA it fires once after each of the three drifts and never between.
 * Regression: ADWIN on the squared error, whose bound adapts to the loss's own scale.
 */
function defaultDetectors(task: Schema['task']): DetectorSpec[] {
  return task === 'regression' ? [{ type: 'adwin' }] : [{ type: 'pageHinkley', mode: 'up' }];
}
