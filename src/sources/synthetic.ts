import { SourceError } from '../errors.js';
import type { RawRecord, Schema } from '../types.js';
import { mulberry32 } from '../stats/prng.js';

/**
 * A seeded synthetic stream: iterable synchronously or asynchronously, and every iteration
 * replays the same records from the start.
 */
export interface SyntheticStream extends Iterable<RawRecord>, AsyncIterable<RawRecord> {}

/** Feature names of {@link sea}. */
export const SEA_FEATURES: readonly string[] = ['x1', 'x2', 'x3'];
/** Label name of every synthetic stream. */
export const SYNTHETIC_LABEL = 'y';

/** Settings of {@link sea}. */
export interface SeaOptions {
  /** Number of records; `Infinity` for an endless stream. Default 50,000. */
  readonly n?: number;
  /** Record indices where the concept (the threshold) changes, ascending. Default [12500, 25000, 37500]. */
  readonly drifts?: readonly number[];
  /** Threshold of each concept, cycled when there are more concepts than thresholds. Default [8, 9, 7, 9.5]. */
  readonly thresholds?: readonly number[];
  /** Probability that a label is flipped. Default 0.1. */
  readonly noise?: number;
  /** PRNG seed. Default 1. */
  readonly seed?: number;
}

/**
 * SEA concepts (Street & Kim 2001) with abrupt drifts: x1, x2, x3 uniform in [0, 10],
 * y = 1 iff x1 + x2 <= theta, where theta changes at each drift, then labels flipped with
 * probability `noise`. Records carry `fields`, so they take the same decode path as files.
 *
 * @example
 * const stream = sea({ n: 20_000, drifts: [5_000, 10_000], seed: 7 });
 * for (const record of stream) record.fields; // { x1: 3.1, x2: 4.7, x3: 9.2, y: 1 }
 */
export function sea(options: SeaOptions = {}): SyntheticStream {
  const {
    n = 50_000,
    drifts = [12_500, 25_000, 37_500],
    thresholds = [8, 9, 7, 9.5],
    noise = 0.1,
    seed = 1,
  } = options;
  const where = 'synthetic sea';
  checkCount(where, 'n', n);
  checkNoise(where, noise);
  checkSeed(where, seed);
  drifts.forEach((d, i) => {
    if (!(Number.isInteger(d) && d >= 0 && (i === 0 || d > drifts[i - 1]!))) {
      throw new SourceError(`${where}: "drifts" must be ascending non-negative integers, got [${drifts.join(', ')}]`);
    }
  });
  if (thresholds.length === 0 || !thresholds.every(Number.isFinite)) {
    throw new SourceError(`${where}: "thresholds" must be one or more finite numbers, got [${thresholds.join(', ')}]`);
  }
  return replayable(function* () {
    const random = mulberry32(seed);
    let concept = 0;
    for (let index = 0; index < n; index++) {
      while (concept < drifts.length && index >= drifts[concept]!) concept++;
      const theta = thresholds[concept % thresholds.length]!;
      const x1 = 10 * random();
      const x2 = 10 * random();
      const x3 = 10 * random();
      const clean = x1 + x2 <= theta ? 1 : 0;
      const y = random() < noise ? 1 - clean : clean;
      yield { index, position: `synth:sea#${index}`, raw: `${x1},${x2},${x3},${y}`, fields: { x1, x2, x3, y } };
    }
  });
}

/** Settings of {@link hyperplane}. */
export interface HyperplaneOptions {
  /** Number of records; `Infinity` for an endless stream. Default 50,000. */
  readonly n?: number;
  /** Number of features. Default 10. */
  readonly dim?: number;
  /** How many of the weights drift (the first ones). Default 2. */
  readonly driftFeatures?: number;
  /** Change of each drifting weight per record. Default 0.001. */
  readonly magnitude?: number;
  /** Probability, per record and drifting weight, that its direction of change reverses. Default 0.1. */
  readonly reverseProbability?: number;
  /** Probability that a label is flipped. Default 0.05. */
  readonly noise?: number;
  /** PRNG seed. Default 1. */
  readonly seed?: number;
}

/** Feature names of {@link hyperplane} with `dim` features: x1 ... x{dim}. */
export function hyperplaneFeatures(dim: number): string[] {
  return Array.from({ length: dim }, (_, i) => `x${i + 1}`);
}

/**
 * The rotating hyperplane (Hulten et al. 2001, as in MOA): x uniform in [0, 1]^dim,
 * y = 1 iff sum(w_i x_i) >= sum(w_i) / 2, labels flipped with probability `noise`; after each
 * record the first `driftFeatures` weights move by `magnitude` in their direction, which
 * reverses with probability `reverseProbability`. Gradual drift, classes about balanced.
 *
 * @example
 * const stream = hyperplane({ n: 10_000, dim: 5, seed: 3 });
 * for await (const record of stream) record.fields; // { x1: 0.42, ..., x5: 0.07, y: 0 }
 */
export function hyperplane(options: HyperplaneOptions = {}): SyntheticStream {
  const {
    n = 50_000,
    dim = 10,
    driftFeatures = 2,
    magnitude = 0.001,
    reverseProbability = 0.1,
    noise = 0.05,
    seed = 1,
  } = options;
  const where = 'synthetic hyperplane';
  checkCount(where, 'n', n);
  if (!(Number.isInteger(dim) && dim >= 1)) throw new SourceError(`${where}: "dim" must be a positive integer, got ${dim}`);
  if (!(Number.isInteger(driftFeatures) && driftFeatures >= 0 && driftFeatures <= dim)) {
    throw new SourceError(`${where}: "driftFeatures" must be an integer in [0, dim=${dim}], got ${driftFeatures}`);
  }
  if (!(Number.isFinite(magnitude) && magnitude >= 0)) {
    throw new SourceError(`${where}: "magnitude" must be a finite number >= 0, got ${magnitude}`);
  }
  if (!(reverseProbability >= 0 && reverseProbability <= 1)) {
    throw new SourceError(`${where}: "reverseProbability" must be in [0, 1], got ${reverseProbability}`);
  }
  checkNoise(where, noise);
  checkSeed(where, seed);
  const names = hyperplaneFeatures(dim);
  return replayable(function* () {
    const random = mulberry32(seed);
    const weights = Array.from({ length: dim }, () => random());
    const direction = weights.map((_, i): number => (i < driftFeatures ? 1 : 0));
    const x = new Array<number>(dim).fill(0);
    for (let index = 0; index < n; index++) {
      let sum = 0;
      let total = 0;
      for (let i = 0; i < dim; i++) {
        x[i] = random();
        sum += weights[i]! * x[i]!;
        total += weights[i]!;
      }
      const clean = sum >= total / 2 ? 1 : 0;
      const y = random() < noise ? 1 - clean : clean;
      const fields: Record<string, number> = {};
      names.forEach((name, i) => (fields[name] = x[i]!));
      fields[SYNTHETIC_LABEL] = y;
      yield { index, position: `synth:hyperplane#${index}`, raw: `${x.join(',')},${y}`, fields };
      for (let i = 0; i < driftFeatures; i++) {
        weights[i]! += direction[i]! * magnitude;
        if (random() < reverseProbability) direction[i] = -direction[i]!;
      }
    }
  });
}

/** A synthetic stream named by a URI, with the schema to decode it. */
export interface SyntheticSource {
  readonly name: 'sea' | 'hyperplane';
  readonly records: SyntheticStream;
  readonly schema: Schema;
}

const PARAMETERS = {
  sea: ['n', 'drifts', 'thresholds', 'noise', 'seed'],
  hyperplane: ['n', 'dim', 'driftFeatures', 'magnitude', 'reverseProbability', 'noise', 'seed'],
} as const;

/**
 * Builds a synthetic stream from a URI `synth:<name>?<param>=<value>&...`; list parameters are
 * comma-separated, `n=Infinity` (or `inf`) gives an endless stream. Unknown names, unknown
 * parameters and bad values throw a `SourceError` naming them.
 *
 * @example
 * parseSyntheticUri('synth:sea?n=20000&drifts=5000,10000&noise=0.1&seed=7').schema;
 * // { task: 'binary', features: ['x1', 'x2', 'x3'], label: 'y', classes: 2 }
 * parseSyntheticUri('synth:hyperplane?dim=20').schema.features.length; // 20
 */
export function parseSyntheticUri(uri: string): SyntheticSource {
  const match = /^synth:([^?]*)(?:\?(.*))?$/.exec(uri);
  if (!match) throw new SourceError(`"${uri}" is not a synthetic source URI; expected synth:sea or synth:hyperplane[?param=value&...]`);
  const name = match[1]!;
  if (name !== 'sea' && name !== 'hyperplane') {
    throw new SourceError(`unknown synthetic stream "${name}" in "${uri}"; known: synth:sea, synth:hyperplane`);
  }
  const known: readonly string[] = PARAMETERS[name];
  const params: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(match[2] ?? '')) {
    if (!known.includes(key)) {
      throw new SourceError(`unknown parameter "${key}" in "${uri}"; synth:${name} takes ${known.join(', ')}`);
    }
    if (key in params) throw new SourceError(`parameter "${key}" is given twice in "${uri}"`);
    params[key] = value;
  }
  const number = (key: string): number | undefined => {
    const text = params[key];
    if (text === undefined) return undefined;
    if (key === 'n' && /^(inf|infinity)$/i.test(text)) return Infinity;
    const value = text.trim() === '' ? NaN : Number(text);
    if (!Number.isFinite(value)) throw new SourceError(`parameter "${key}" in "${uri}" must be a number, got "${text}"`);
    return value;
  };
  const list = (key: string): number[] | undefined => {
    const text = params[key];
    if (text === undefined) return undefined;
    const values = text === '' ? [] : text.split(',').map((part) => (part.trim() === '' ? NaN : Number(part)));
    if (!values.every(Number.isFinite)) {
      throw new SourceError(`parameter "${key}" in "${uri}" must be comma-separated numbers, got "${text}"`);
    }
    return values;
  };
  if (name === 'sea') {
    // An absent parameter is undefined, so the generator's default applies.
    const records = sea({ n: number('n'), drifts: list('drifts'), thresholds: list('thresholds'), noise: number('noise'), seed: number('seed') });
    return { name, records, schema: binarySchema(SEA_FEATURES) };
  }
  const options = {
    n: number('n'),
    dim: number('dim'),
    driftFeatures: number('driftFeatures'),
    magnitude: number('magnitude'),
    reverseProbability: number('reverseProbability'),
    noise: number('noise'),
    seed: number('seed'),
  };
  return { name, records: hyperplane(options), schema: binarySchema(hyperplaneFeatures(options.dim ?? 10)) };
}

function binarySchema(features: readonly string[]): Schema {
  return { task: 'binary', features: [...features], label: SYNTHETIC_LABEL, classes: 2 };
}

function replayable(generate: () => Generator<RawRecord>): SyntheticStream {
  return {
    [Symbol.iterator]: generate,
    async *[Symbol.asyncIterator]() {
      yield* generate();
    },
  };
}

function checkCount(where: string, key: string, n: number): void {
  if (!((Number.isInteger(n) && n >= 0) || n === Infinity)) {
    throw new SourceError(`${where}: "${key}" must be a non-negative integer or Infinity, got ${n}`);
  }
}

function checkNoise(where: string, noise: number): void {
  if (!(noise >= 0 && noise <= 1)) throw new SourceError(`${where}: "noise" must be in [0, 1], got ${noise}`);
}

function checkSeed(where: string, seed: number): void {
  if (!Number.isInteger(seed)) throw new SourceError(`${where}: "seed" must be an integer, got ${seed}`);
}
