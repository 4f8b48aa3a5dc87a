import fc from 'fast-check';
import { DETECTOR_TYPES } from '../../src/drift/createDetector.js';
import { DRIFT_SIGNALS } from '../../src/drift/DriftMonitor.js';
import { ACTIVATIONS, INITIALIZERS } from '../../src/model/ModelSpec.js';

/**
 * fast-check arbitraries of valid streamtune configurations (every section, each key optional)
 * and of single mutations that make one invalid: an unknown key at any depth, a wrong type, or
 * an invalid value, each knowing the field path the error must name.
 *
 * @example
 * fc.assert(fc.property(validConfig, (config) => { parseConfig(config); }));
 * fc.assert(fc.property(mutatedConfig, ({ config, path, kind }) => { expect(() => parseConfig(config)).toThrow(path); }));
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = ReadonlyArray<string | number>;

const optional = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined, freq: 2 });
const name = fc.stringMatching(/^[A-Za-z][\w.-]{0,11}$/);
const posInt = fc.integer({ min: 1, max: 100_000 });
const nonNegInt = fc.integer({ min: 0, max: 10_000 });
const positive = fc.double({ min: Number.MIN_VALUE, max: 1e6, noNaN: true });
const nonNeg = fc.double({ min: 0, max: 1e6, noNaN: true });
const fraction = fc.double({ min: 0, max: 1, noNaN: true });
/** [0, 1) */
const below1 = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

/** Objects without the keys whose value is undefined (the optional ones not drawn). */
const section = <T extends Record<string, fc.Arbitrary<unknown>>>(shape: T): fc.Arbitrary<Record<string, Json>> =>
  fc.record(shape, { requiredKeys: [] }).map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Record<string, Json>);

const layer = fc.oneof(
  section({ type: fc.constant('dense'), units: posInt, activation: fc.constantFrom(...ACTIVATIONS), initializer: fc.constantFrom(...INITIALIZERS) }).map((l) => ({
    ...l,
    type: 'dense',
    units: (l.units as number | undefined) ?? 8,
  })),
  below1.map((rate) => ({ type: 'dropout', rate })),
);

/** A tuning policy's entry: off, on with the defaults, or settings. */
const toggle = (settings: fc.Arbitrary<Record<string, Json>>) => fc.oneof(fc.boolean(), settings);

const tuning = section({
  enabled: fc.boolean(),
  minLr: fc.double({ min: 0, max: 1e-3, noNaN: true }),
  maxLr: fc.double({ min: 1e-2, max: 1, noNaN: true }),
  minL2: fc.double({ min: 0, max: 1e-4, noNaN: true }),
  maxL2: fc.double({ min: 1e-2, max: 1, noNaN: true }),
  divergence: toggle(
    section({
      spikeFactor: fc.double({ min: 1.01, max: 100, noNaN: true }),
      warmupBatches: nonNegInt,
      alpha: fc.double({ min: 0.01, max: 1, noNaN: true }),
      factor: fc.double({ min: 0.01, max: 1, noNaN: true }),
      minLr: nonNeg,
      cooldownBatches: nonNegInt,
    }),
  ),
  drift: toggle(
    section({
      factor: fc.double({ min: 1, max: 10, noNaN: true }),
      maxLr: positive,
      decayBatches: posInt,
      cooldownBatches: nonNegInt,
      resetMoments: fc.boolean(),
      forgetting: fc.record({ halfLife: positive, batches: posInt }),
    }),
  ),
  plateau: toggle(
    section({
      factor: fc.double({ min: 0.01, max: 0.99, noNaN: true }),
      patience: nonNegInt,
      cooldown: nonNegInt,
      minLr: nonNeg,
      threshold: below1,
      minDelta: nonNeg,
      monitor: fc.constantFrom('auto', 'holdout', 'train'),
    }),
  ),
  gap: toggle(
    section({
      mode: fc.constantFrom('abs', 'rel'),
      gapThreshold: fc.double({ min: 0.02, max: 1, noNaN: true }),
      smallGap: fc.double({ min: 0, max: 0.01, noNaN: true }),
      highLoss: positive,
      patience: posInt,
      cooldown: nonNegInt,
      factor: fc.double({ min: 1.01, max: 10, noNaN: true }),
      minL2: fc.double({ min: 0, max: 1e-4, noNaN: true }),
      maxL2: fc.double({ min: 1e-2, max: 1, noNaN: true }),
    }),
  ),
});

/** A valid configuration: `source` and any subset of every other key, at every depth. */
export const validConfig: fc.Arbitrary<Record<string, Json>> = fc
  .tuple(
    fc.oneof(
      fc.record({ task: fc.constant('binary'), classes: optional(fc.constant(2)) }),
      fc.record({ task: fc.constant('regression') }),
      fc.record({ task: fc.constant('multiclass'), classes: fc.integer({ min: 2, max: 50 }) }),
      fc.constant({}),
    ),
    section({
      source: fc.string({ minLength: 1, maxLength: 20 }),
      label: name,
      features: fc.array(name, { minLength: 1, maxLength: 4 }),
      keyField: name,
      validationSplit: fraction,
      splitSeed: fc.integer(),
      maxRecords: posInt,
      rate: positive,
      batch: section({ size: posInt, maxWaitMs: positive }),
      model: section({ layers: fc.array(layer, { maxLength: 3 }), initializer: fc.constantFrom(...INITIALIZERS), seed: fc.integer() }),
      optimizer: section({ learningRate: positive, beta1: below1, beta2: below1, epsilon: positive, amsgrad: fc.boolean(), clipNorm: positive }),
      l2: nonNeg,
      standardize: section({ halfLife: positive, clip: positive, target: fc.boolean() }),
      eval: section({ window: posInt, logEvery: posInt }),
      kafka: section({
        group: name,
        fromBeginning: fc.boolean(),
        format: fc.constantFrom('auto', 'json', 'csv'),
        csvColumns: fc.array(name, { minLength: 1, maxLength: 4 }),
        stopAtEnd: fc.boolean(),
        deadLetterTopic: name,
        eventsTopic: name,
        clientId: name,
        ssl: fc.oneof(fc.boolean(), section({ ca: name, cert: name, key: name, rejectUnauthorized: fc.boolean() })),
        sasl: fc
          .tuple(fc.constantFrom('plain', 'scram-sha-256', 'scram-sha-512'), name, section({ passwordEnv: name, passwordFile: name }))
          .map(([mechanism, username, rest]) => ({ mechanism, username, ...rest })),
        sessionTimeoutMs: fc.integer({ min: 6000, max: 600_000 }),
        commitIntervalMs: nonNeg,
        queueSize: posInt,
      }),
      drift: section({ signal: fc.constantFrom(...DRIFT_SIGNALS), detectors: fc.array(fc.constantFrom(...DETECTOR_TYPES).map((type) => ({ type })), { maxLength: 2 }) }),
      tuning,
      backend: fc.constantFrom('auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'),
      metrics: section({ enabled: fc.boolean(), host: name, port: fc.integer({ min: 0, max: 65535 }) }),
      deadLetter: name,
      checkpoint: section({ dir: name, everyRecords: posInt, everySeconds: positive, keep: posInt }),
      metricsLog: name,
      summaryJson: name,
      progress: fc.constantFrom('auto', 'tty', 'json', 'off'),
    }),
  )
  .map(([task, rest]) => ({ source: 'data.csv', ...rest, ...(Object.fromEntries(Object.entries(task).filter(([, v]) => v !== undefined)) as Record<string, Json>) }));

/** Every node of a JSON value with its path (the root has the empty path). */
export function nodes(value: Json, path: Path = []): Array<{ path: Path; value: Json }> {
  const out: Array<{ path: Path; value: Json }> = [{ path, value }];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...nodes(v, [...path, i])));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...nodes(v, [...path, k]));
  return out;
}

/** The path written as the error messages write it: `model.layers.0.units`. */
export const dotted = (path: Path): string => path.join('.');
/** The path with array indices as `#`, to look up INVALID_VALUES. */
const pattern = (path: Path): string => path.map((p) => (typeof p === 'number' ? '#' : p)).join('.');

/** Values of the right type that each field refuses (by path pattern; `#` = any array index). */
export const INVALID_VALUES: Readonly<Record<string, readonly Json[]>> = {
  source: [''],
  label: [''],
  keyField: [''],
  'features.#': [''],
  features: [[]],
  task: ['ranking', 'Binary', ''],
  classes: [1, 0, 2.5, -3],
  validationSplit: [-0.1, 1.5, 2],
  splitSeed: [1.5],
  maxRecords: [0, -1, 1.5],
  rate: [0, -5],
  'batch.size': [0, 1.5, -1],
  'batch.maxWaitMs': [0, -1],
  'model.layers.#.type': ['conv', 'Dense'],
  'model.layers.#.units': [0, 1.5],
  'model.layers.#.activation': ['reluu', 'ReLU'],
  'model.layers.#.initializer': ['xavier'],
  'model.layers.#.rate': [1, -0.1],
  'model.initializer': ['xavier'],
  'model.seed': [0.5],
  'optimizer.learningRate': [0, -0.1],
  'optimizer.beta1': [1, -0.1],
  'optimizer.beta2': [1, 1.5],
  'optimizer.epsilon': [0],
  'optimizer.clipNorm': [0, -1],
  l2: [-1],
  'standardize.halfLife': [0],
  'standardize.clip': [0, -1],
  'eval.window': [0, 2.5],
  'eval.logEvery': [0],
  'kafka.group': [''],
  'kafka.format': ['xml'],
  'kafka.csvColumns': [[]],
  'kafka.csvColumns.#': [''],
  'kafka.deadLetterTopic': [''],
  'kafka.clientId': [''],
  'kafka.ssl.ca': [''],
  'kafka.sasl.mechanism': ['gssapi', 'PLAIN'],
  'kafka.sasl.username': [''],
  'kafka.sessionTimeoutMs': [5999, 7000.5],
  'kafka.commitIntervalMs': [-1],
  'kafka.queueSize': [0],
  'drift.signal': ['loss'],
  'drift.detectors.#.type': ['cusum'],
  'tuning.minLr': [-1],
  'tuning.maxLr': [0],
  'tuning.minL2': [-1],
  'tuning.maxL2': [-1],
  'tuning.divergence.spikeFactor': [1, 0.5],
  'tuning.divergence.warmupBatches': [-1, 1.5],
  'tuning.divergence.alpha': [0, 1.5],
  'tuning.divergence.factor': [0, 1.5],
  'tuning.divergence.cooldownBatches': [-1],
  'tuning.drift.factor': [0.5],
  'tuning.drift.maxLr': [0],
  'tuning.drift.decayBatches': [0],
  'tuning.drift.forgetting.halfLife': [0],
  'tuning.drift.forgetting.batches': [0, 1.5],
  'tuning.plateau.factor': [0, 1],
  'tuning.plateau.patience': [-1],
  'tuning.plateau.threshold': [1, -0.1],
  'tuning.plateau.monitor': ['val'],
  'tuning.gap.mode': ['pct'],
  'tuning.gap.gapThreshold': [-1],
  'tuning.gap.highLoss': [0],
  'tuning.gap.patience': [0],
  'tuning.gap.factor': [1],
  'tuning.gap.minL2': [-1],
  'tuning.gap.maxL2': [0],
  backend: ['gpu'],
  'metrics.port': [-1, 65536, 80.5],
  progress: ['verbose'],
  'checkpoint.everyRecords': [0],
  'checkpoint.everySeconds': [0],
  'checkpoint.keep': [0],
};

/** Values of another type than `value` (any of which the field must refuse). */
function wrongTypes(value: Json): readonly Json[] {
  if (typeof value === 'number') return ['1', true, null, [1], {}];
  if (typeof value === 'string') return [1, false, null, ['x'], {}];
  if (typeof value === 'boolean') return ['true', 1, null];
  if (Array.isArray(value)) return ['a,b', 1, {}, null];
  return ['x', 1, [], null];
}

/** Objects where an unknown key is NOT caught by parseConfig (known gap: detector settings are checked later, by createDetector). */
export const LOOSE_OBJECTS = /^drift\.detectors\.#$/;

export interface Mutation {
  readonly kind: 'unknown key' | 'wrong type' | 'invalid value';
  readonly config: Record<string, Json>;
  /** The field path the error must name (for an unknown key: the object holding it). */
  readonly path: Path;
  /** The unknown key, for kind 'unknown key'. */
  readonly key?: string;
  readonly value?: Json;
}

function setAt(root: Json, path: Path, value: Json): Json {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (Array.isArray(root)) return root.map((v, i) => (i === head ? setAt(v, rest, value) : v));
  const object = root as Record<string, Json>;
  return { ...object, [head as string]: setAt(object[head as string] as Json, rest, value) };
}

/** A valid configuration with exactly one thing wrong, and where. */
export const mutatedConfig: fc.Arbitrary<Mutation> = fc
  .record({
    config: validConfig,
    kind: fc.constantFrom<Mutation['kind']>('unknown key', 'wrong type', 'invalid value'),
    pick: fc.nat(),
    alt: fc.nat(),
    key: fc.stringMatching(/^[a-z][A-Za-z0-9_]{0,8}$/).map((k) => `zz${k}`),
  })
  .map(({ config, kind, pick, alt, key }): Mutation | undefined => {
    const all = nodes(config);
    if (kind === 'unknown key') {
      const objects = all.filter((n) => n.value !== null && typeof n.value === 'object' && !Array.isArray(n.value) && !LOOSE_OBJECTS.test(pattern(n.path)));
      const target = objects[pick % objects.length] as { path: Path; value: Record<string, Json> };
      return { kind, path: target.path, key, config: setAt(config, target.path, { ...target.value, [key]: 1 }) as Record<string, Json> };
    }
    const leaves = all.filter((n) => n.path.length > 0 && (kind === 'wrong type' || INVALID_VALUES[pattern(n.path)] !== undefined));
    const target = leaves[pick % leaves.length];
    if (!target) return undefined;
    const choices = kind === 'wrong type' ? wrongTypes(target.value) : (INVALID_VALUES[pattern(target.path)] as readonly Json[]);
    const value = choices[alt % choices.length] as Json;
    return { kind, path: target.path, value, config: setAt(config, target.path, value) as Record<string, Json> };
  })
  .filter((m): m is Mutation => m !== undefined);
