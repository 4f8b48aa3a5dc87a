import { CheckpointError, ConfigError } from '../errors.js';

/** Settings of {@link RunningMoments}: the number of features and an optional forgetting half-life. */
export interface RunningMomentsSettings {
  /** Number of features tracked. */
  readonly dim: number;
  /** Half-life in records: a record's weight halves after this many newer records. Absent: no forgetting. */
  readonly halfLife?: number;
}

/** Learned state of {@link RunningMoments}, JSON-serializable. */
export interface RunningMomentsSnapshot {
  /** Total weight (the record count without forgetting). */
  readonly count: number;
  readonly mean: number[];
  /** Weighted sum of squared deviations from the mean, per feature. */
  readonly m2: number[];
}

/**
 * Per-feature running mean and population variance: Welford's algorithm, mergeable (Chan et al.),
 * with optional exponential forgetting (West's weighted update, old weights times 2^(-1/halfLife)).
 *
 * @example
 * const m = new RunningMoments({ dim: 2 });
 * m.update([1, 10]);
 * m.update([3, 10]);
 * m.mean(0); // 2
 * m.variance(0); // 1
 */
export class RunningMoments {
  readonly dim: number;
  readonly halfLife: number | undefined;
  /** Factor applied to the existing weight before each update (1 without forgetting). */
  #alpha: number;
  #count = 0;
  readonly #mean: Float64Array;
  readonly #m2: Float64Array;

  constructor(settings: RunningMomentsSettings) {
    const { dim, halfLife } = settings;
    if (!Number.isInteger(dim) || dim < 1) {
      throw new ConfigError(`RunningMoments: "dim" must be a positive integer, got ${dim}`);
    }
    if (halfLife !== undefined && !(halfLife > 0)) {
      throw new ConfigError(`RunningMoments: "halfLife" must be a positive number of records, got ${halfLife}`);
    }
    this.dim = dim;
    this.halfLife = halfLife;
    this.#alpha = halfLife === undefined ? 1 : 2 ** (-1 / halfLife);
    this.#mean = new Float64Array(dim);
    this.#m2 = new Float64Array(dim);
  }

  /**
   * Changes the forgetting while learning goes on (a tuner speeds it up for a while after a
   * drift): `undefined` goes back to the configured `halfLife`. The weights already seen stay.
   */
  forgetWith(halfLife: number | undefined): void {
    const h = halfLife ?? this.halfLife;
    if (h !== undefined && !(h > 0)) throw new ConfigError(`RunningMoments: halfLife must be positive, got ${h}`);
    this.#alpha = h === undefined ? 1 : 2 ** (-1 / h);
  }

  /** The factor each update applies to the weight already seen (1 without forgetting). */
  get decayPerRecord(): number {
    return this.#alpha;
  }

  /**
   * Multiplies the weight of everything seen so far by `factor` in (0, 1] (what `n` updates with
   * forgetting do to it: `decayPerRecord ** n`); means are unchanged, variances too.
   */
  decay(factor: number): void {
    if (!(factor > 0 && factor <= 1)) throw new RangeError(`RunningMoments.decay: factor must be in (0, 1], got ${factor}`);
    this.#count *= factor;
    for (let i = 0; i < this.dim; i++) this.#m2[i] = (this.#m2[i] as number) * factor;
  }

  /** Total weight seen (the number of records without forgetting). */
  get count(): number {
    return this.#count;
  }

  /** Adds one record of `dim` features (with weight 1, after decaying the existing weight). */
  update(x: ArrayLike<number>): void {
    this.#checkLength(x.length, 'update');
    const alpha = this.#alpha;
    const count = alpha * this.#count + 1;
    const mean = this.#mean;
    const m2 = this.#m2;
    for (let i = 0; i < this.dim; i++) {
      const xi = x[i] as number;
      const oldMean = mean[i] as number;
      const delta = xi - oldMean;
      const newMean = oldMean + delta / count;
      mean[i] = newMean;
      m2[i] = alpha * (m2[i] as number) + delta * (xi - newMean);
    }
    this.#count = count;
  }

  /** Folds `other` into this (Chan et al.): the result equals the moments of both data sets together. */
  merge(other: RunningMoments): void {
    this.#checkLength(other.dim, 'merge');
    const na = this.#count;
    const nb = other.#count;
    const n = na + nb;
    if (nb === 0) return;
    for (let i = 0; i < this.dim; i++) {
      const ma = this.#mean[i] as number;
      const delta = (other.#mean[i] as number) - ma;
      this.#mean[i] = ma + (delta * nb) / n;
      this.#m2[i] = (this.#m2[i] as number) + (other.#m2[i] as number) + ((delta * delta * na) / n) * nb;
    }
    this.#count = n;
  }

  /** Running mean of feature `i` (0 before any update). */
  mean(i: number): number {
    return this.#at(this.#mean, i);
  }

  /** Population variance of feature `i` (0 before any update). */
  variance(i: number): number {
    const m2 = this.#at(this.#m2, i);
    return this.#count > 0 ? Math.max(0, m2 / this.#count) : 0;
  }

  /** Population standard deviation of feature `i`. */
  std(i: number): number {
    return Math.sqrt(this.variance(i));
  }

  /**
   * Writes `(x - mean) / std` into `out`, clipped to ±`clip`; 0 where std < `minStd` or nothing
   * was learned (the loop behind {@link Standardizer.transform}, with no per-feature calls).
   */
  standardizeInto(x: ArrayLike<number>, out: Float32Array, minStd: number, clip: number): void {
    this.#checkLength(x.length, 'standardizeInto');
    const count = this.#count;
    if (count === 0) {
      out.fill(0);
      return;
    }
    const mean = this.#mean;
    const m2 = this.#m2;
    for (let i = 0; i < this.dim; i++) {
      const std = Math.sqrt(Math.max(0, (m2[i] as number) / count));
      if (!(std >= minStd)) {
        out[i] = 0;
        continue;
      }
      const z = ((x[i] as number) - (mean[i] as number)) / std;
      out[i] = z > clip ? clip : z < -clip ? -clip : z;
    }
  }

  /** The learned state as plain JSON. */
  snapshot(): RunningMomentsSnapshot {
    return { count: this.#count, mean: Array.from(this.#mean), m2: Array.from(this.#m2) };
  }

  /** Replaces the learned state with a snapshot taken from moments of the same `dim`. */
  restore(snapshot: RunningMomentsSnapshot): void {
    const { count, mean, m2 } = snapshot ?? ({} as Partial<RunningMomentsSnapshot>);
    const validArray = (a: unknown): a is number[] =>
      Array.isArray(a) && a.length === this.dim && a.every((v) => typeof v === 'number' && Number.isFinite(v));
    if (typeof count !== 'number' || !(count >= 0) || !Number.isFinite(count) || !validArray(mean) || !validArray(m2)) {
      throw new CheckpointError(
        `RunningMoments.restore: expected { count >= 0, mean, m2 } with ${this.dim} finite numbers each; ` +
          'the snapshot is corrupt or was taken with a different feature count',
      );
    }
    this.#count = count;
    this.#mean.set(mean);
    this.#m2.set(m2);
  }

  #at(values: Float64Array, i: number): number {
    const v = values[i];
    if (v === undefined || !Number.isInteger(i)) {
      throw new RangeError(`RunningMoments: feature index ${i} is outside 0..${this.dim - 1}`);
    }
    return v;
  }

  #checkLength(length: number, where: string): void {
    if (length !== this.dim) {
      throw new RangeError(`RunningMoments.${where}: expected ${this.dim} features, got ${length}`);
    }
  }
}
