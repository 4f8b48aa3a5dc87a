import { CheckpointError, ConfigError } from '../errors.js';
import type { Sample, Schema } from '../types.js';

/** Which past values become features: the label's, and named features', `k` records back (per entity). */
export interface LagSettings {
  /** Lags of the label, e.g. [1, 2]: the previous two labels of the same entity. */
  readonly label: readonly number[];
  /** Lags of named features, e.g. { nswprice: [1] }. */
  readonly features: Readonly<Record<string, readonly number[]>>;
  /** Entities (record keys) remembered at most; the least recently seen is forgotten first. */
  readonly maxEntities?: number;
}

/** Learned state of {@link Lags}: each entity's recent values, least recently seen first. */
export interface LagsSnapshot {
  readonly entities: Array<[key: string, values: number[]]>;
}

/** One lagged column: which value (the label, or feature `feature`) and how many records back. */
interface LagColumn {
  readonly name: string;
  /** Index into the remembered row: 0 is the label, 1 + i is the i-th lagged feature. */
  readonly slot: number;
  readonly lag: number;
}

const DEFAULT_MAX_ENTITIES = 100_000;

/**
 * Temporal features (Bifet et al. 2013; MOA's temporally augmented classifier): appends to each
 * sample the label and chosen features of the same entity's previous records (the key, or the
 * whole stream without keys), 0 before there are any. A record's own label is never among its
 * features: it is remembered only after the record is augmented, as prequential evaluation has
 * it known only after the prediction. State per entity is bounded (`maxEntities`).
 *
 * @example
 * const lags = new Lags({ label: [1, 2], features: { nswprice: [1] } }, schema);
 * lags.names; // ['class@1', 'class@2', 'nswprice@1']
 * lags.augment(sample).x; // the sample's features, then the three lagged values
 */
export class Lags {
  /** Names of the added columns, in order (`label@1`, ...). */
  readonly names: readonly string[];
  readonly #columns: readonly LagColumn[];
  /** Schema indexes of the lagged features (slot 1 + i). */
  readonly #featureIndex: readonly number[];
  readonly #depth: number;
  readonly #width: number;
  readonly #maxEntities: number;
  #entities = new Map<string, Float64Array>();

  constructor(settings: LagSettings, schema: Pick<Schema, 'features' | 'label'>) {
    const check = (where: string, lags: readonly number[]): void => {
      for (const k of lags) {
        if (!Number.isInteger(k) || k < 1 || k > 1000) throw new ConfigError(`lags.${where}: each lag must be an integer in 1..1000, got ${k}`);
      }
    };
    check('label', settings.label);
    const featureIndex: number[] = [];
    const columns: LagColumn[] = settings.label.map((lag) => ({ name: `${schema.label}@${lag}`, slot: 0, lag }));
    for (const [name, lags] of Object.entries(settings.features)) {
      const index = schema.features.indexOf(name);
      if (index < 0) throw new ConfigError(`lags.features: "${name}" is not a feature (features: ${schema.features.join(', ')})`);
      check(`features.${name}`, lags);
      featureIndex.push(index);
      for (const lag of lags) columns.push({ name: `${name}@${lag}`, slot: featureIndex.length, lag });
    }
    const maxEntities = settings.maxEntities ?? DEFAULT_MAX_ENTITIES;
    if (!Number.isInteger(maxEntities) || maxEntities < 1) throw new ConfigError(`lags.maxEntities must be a positive integer, got ${maxEntities}`);
    this.names = columns.map((c) => c.name);
    this.#columns = columns;
    this.#featureIndex = featureIndex;
    this.#depth = Math.max(0, ...columns.map((c) => c.lag));
    this.#width = 1 + featureIndex.length;
    this.#maxEntities = maxEntities;
  }

  /** Number of columns added. */
  get size(): number {
    return this.#columns.length;
  }

  /** Entities remembered now. */
  get entities(): number {
    return this.#entities.size;
  }

  /** The sample with the lagged values appended to its features; then its own values are remembered. */
  augment(sample: Sample): Sample {
    if (this.#columns.length === 0) return sample;
    const key = sample.key ?? '';
    const width = this.#width;
    const depth = this.#depth;
    let history = this.#entities.get(key);
    if (history === undefined) {
      // [count, then rows of width values, newest first]
      history = new Float64Array(1 + depth * width);
      if (this.#entities.size >= this.#maxEntities) this.#entities.delete(this.#entities.keys().next().value as string);
    } else this.#entities.delete(key); // re-inserted below: least recently seen first
    this.#entities.set(key, history);
    const dim = sample.x.length;
    const x = new Float32Array(dim + this.#columns.length);
    x.set(sample.x);
    const seen = history[0] as number;
    for (let c = 0; c < this.#columns.length; c++) {
      const { slot, lag } = this.#columns[c] as LagColumn;
      x[dim + c] = lag <= seen ? (history[1 + (lag - 1) * width + slot] as number) : 0;
    }
    history.copyWithin(1 + width, 1, 1 + (depth - 1) * width); // shift rows one older
    history[1] = sample.y;
    for (let i = 0; i < this.#featureIndex.length; i++) history[2 + i] = sample.x[this.#featureIndex[i] as number] as number;
    history[0] = Math.min(depth, seen + 1);
    return { ...sample, x };
  }

  snapshot(): LagsSnapshot {
    return { entities: [...this.#entities].map(([key, values]) => [key, Array.from(values)]) };
  }

  restore(snapshot: LagsSnapshot): void {
    const entities = (snapshot as Partial<LagsSnapshot> | undefined)?.entities;
    const size = 1 + this.#depth * this.#width;
    if (!Array.isArray(entities) || !entities.every((e) => Array.isArray(e) && typeof e[0] === 'string' && Array.isArray(e[1]) && e[1].length === size)) {
      throw new CheckpointError(`Lags.restore: expected {entities: [key, ${size} numbers][]}; the checkpoint is corrupt or taken with other lags`);
    }
    this.#entities = new Map(entities.map(([key, values]) => [key, Float64Array.from(values)]));
  }
}
