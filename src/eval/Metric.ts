import { CheckpointError } from '../errors.js';

/**
 * An online metric over (label, prediction row) pairs that can also forget: `revert` undoes an
 * earlier `update` with the same arguments, which is what lets {@link Rolling} keep a window.
 *
 * `y` is the true label (0/1 for binary, the class id for multiclass, the value for regression);
 * `p` is the prediction row (binary: [P(y=1)]; regression: [value]; multiclass: class probabilities).
 *
 * @example
 * const m: Metric = new Mse();
 * m.update(1, [0.8]);
 * m.get(); // 0.04
 * m.revert(1, [0.8]);
 * m.get(); // NaN (empty)
 */
export interface Metric {
  /** Adds one (label, prediction) pair. */
  update(y: number, p: ArrayLike<number>): void;
  /** Undoes an earlier `update(y, p)`. */
  revert(y: number, p: ArrayLike<number>): void;
  /** The current value; NaN when empty. */
  get(): number;
  /** Number of pairs currently counted. */
  readonly count: number;
  /** The learned state as plain JSON. */
  snapshot(): unknown;
  /** Replaces the learned state with one taken by `snapshot()` of a metric of the same kind. */
  restore(snapshot: unknown): void;
  /** A fresh, empty metric with the same settings. */
  clone(): Metric;
}

/** Learned state of a {@link MeanMetric}, JSON-serializable (only finite numbers). */
export interface MeanMetricSnapshot {
  /** Sum of the finite per-pair scores. */
  readonly sum: number;
  /** Number of pairs counted. */
  readonly count: number;
  /** How many of them had a non-finite score (NaN or infinite prediction). */
  readonly nonFinite: number;
}

/**
 * A metric that is the mean of a per-pair score; subclasses give the score. A pair whose score is
 * not finite (a NaN prediction) makes the mean NaN while it is counted, and a window recovers once
 * it has left: the non-finite pairs are counted apart so that they never poison the running sum.
 *
 * @example
 * class MeanAbsoluteError extends MeanMetric {
 *   protected score(y: number, p: ArrayLike<number>): number { return Math.abs((p[0] ?? NaN) - y); }
 *   clone(): MeanAbsoluteError { return new MeanAbsoluteError(); }
 * }
 */
export abstract class MeanMetric implements Metric {
  #sum = 0;
  #count = 0;
  #nonFinite = 0;

  /** The score of one pair; the metric is its mean. */
  protected abstract score(y: number, p: ArrayLike<number>): number;

  abstract clone(): Metric;

  get count(): number {
    return this.#count;
  }

  update(y: number, p: ArrayLike<number>): void {
    this.add(this.score(y, p));
  }

  revert(y: number, p: ArrayLike<number>): void {
    this.remove(this.score(y, p));
  }

  /** The score one (y, p) pair adds (a window keeps it, to remove it later without scoring again). */
  scoreOf(y: number, p: ArrayLike<number>): number {
    return this.score(y, p);
  }

  /** Adds a score from {@link scoreOf}. */
  add(s: number): void {
    if (Number.isFinite(s)) this.#sum += s;
    else this.#nonFinite += 1;
    this.#count += 1;
  }

  /** Removes a score added before. */
  remove(s: number): void {
    if (this.#count === 0) throw new RangeError(`${this.constructor.name}.revert: nothing to revert`);
    if (Number.isFinite(s)) this.#sum -= s;
    else this.#nonFinite -= 1;
    this.#count -= 1;
    if (this.#count === 0) this.#sum = 0; // drop the rounding residue of the adds and subtracts
  }

  get(): number {
    return this.#count === 0 || this.#nonFinite > 0 ? NaN : this.#sum / this.#count;
  }

  snapshot(): MeanMetricSnapshot {
    return { sum: this.#sum, count: this.#count, nonFinite: this.#nonFinite };
  }

  restore(snapshot: MeanMetricSnapshot): void {
    const { sum, count, nonFinite } = (snapshot ?? {}) as Partial<MeanMetricSnapshot>;
    const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0;
    if (typeof sum !== 'number' || !Number.isFinite(sum) || !isCount(count) || !isCount(nonFinite) || nonFinite > count) {
      throw new CheckpointError(
        `${this.constructor.name}.restore: expected {sum: finite, count: integer >= 0, nonFinite: integer <= count}, ` +
          `got ${JSON.stringify(snapshot)}; the checkpoint is corrupt or from another metric`,
      );
    }
    this.#sum = sum;
    this.#count = count;
    this.#nonFinite = nonFinite;
  }
}
