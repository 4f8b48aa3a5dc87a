import { CheckpointError } from '../errors.js';
import { MeanMetric, type Metric } from './Metric.js';

/** A number in a snapshot: finite numbers as is, NaN and the infinities as strings (JSON has no such numbers). */
export type SnapshotNumber = number | 'NaN' | 'Infinity' | '-Infinity';

/** Learned state of a {@link Rolling} window, JSON-serializable. */
export interface RollingSnapshot {
  /** Labels in the window, oldest first. */
  readonly ys: SnapshotNumber[];
  /** Prediction rows in the window, oldest first. */
  readonly ps: SnapshotNumber[][];
  /** The snapshot of the wrapped metric over exactly these pairs. */
  readonly inner: unknown;
}

const encode = (v: number): SnapshotNumber => (Number.isFinite(v) ? v : (String(v) as SnapshotNumber));
const decode = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN);

/**
 * A metric over the last `size` pairs only: keeps them in a ring buffer and reverts from the
 * wrapped metric what leaves the window (River's `Rolling`). The wrapped metric is cloned, so the
 * instance passed in stays untouched. Prediction rows are copied (they may be views into a reused
 * buffer).
 *
 * @example
 * const w = new Rolling(new Accuracy(), 2);
 * w.update(1, [0.9]); // correct
 * w.update(1, [0.1]); // wrong
 * w.update(0, [0.2]); // correct; the first pair leaves
 * w.get();            // 0.5
 */
export class Rolling implements Metric {
  readonly metric: Metric;
  readonly size: number;
  #inner: Metric;
  readonly #ys: Float64Array;
  readonly #ps: Float64Array[] = [];
  /** Each slot's score when the wrapped metric is a mean: evicting subtracts it instead of scoring again. */
  readonly #scores: Float64Array;
  /** Slot of the oldest pair. */
  #head = 0;
  #length = 0;

  constructor(metric: Metric, size: number) {
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(`Rolling: window size must be a positive integer, got ${size}`);
    }
    this.metric = metric;
    this.size = size;
    this.#inner = metric.clone();
    this.#ys = new Float64Array(size);
    this.#scores = new Float64Array(size);
  }

  /** Number of pairs in the window (at most `size`). */
  get count(): number {
    return this.#length;
  }

  update(y: number, p: ArrayLike<number>): void {
    if (this.#length === this.size) this.#evictOldest();
    const slot = (this.#head + this.#length) % this.size;
    let row = this.#ps[slot];
    if (row === undefined || row.length !== p.length) {
      row = new Float64Array(p.length);
      this.#ps[slot] = row;
    }
    for (let k = 0; k < p.length; k++) row[k] = p[k] as number;
    this.#ys[slot] = y;
    this.#length += 1;
    const inner = this.#inner;
    if (inner instanceof MeanMetric) {
      const s = inner.scoreOf(y, row);
      this.#scores[slot] = s;
      inner.add(s);
    } else inner.update(y, row);
  }

  /** Not supported: a window cannot bring back the pair an update evicted. */
  revert(_y: number, _p: ArrayLike<number>): void {
    throw new TypeError('Rolling.revert: a window cannot be reverted (the pairs it evicted are gone)');
  }

  get(): number {
    return this.#inner.get();
  }

  snapshot(): RollingSnapshot {
    const ys: SnapshotNumber[] = [];
    const ps: SnapshotNumber[][] = [];
    for (let i = 0; i < this.#length; i++) {
      const slot = (this.#head + i) % this.size;
      ys.push(encode(this.#ys[slot] as number));
      ps.push(Array.from(this.#ps[slot] as Float64Array, encode));
    }
    return { ys, ps, inner: this.#inner.snapshot() };
  }

  /** Restores a snapshot; one taken with a larger window keeps only its newest `size` pairs. */
  restore(snapshot: RollingSnapshot): void {
    const { ys, ps, inner } = (snapshot ?? {}) as Partial<RollingSnapshot>;
    if (!Array.isArray(ys) || !Array.isArray(ps) || ys.length !== ps.length || !ps.every(Array.isArray)) {
      throw new CheckpointError(
        'Rolling.restore: expected {ys: number[], ps: number[][], inner} with as many rows as labels; ' +
          'the checkpoint is corrupt or not from a Rolling window',
      );
    }
    const restored = this.metric.clone();
    restored.restore(inner);
    if (restored.count !== ys.length) {
      throw new CheckpointError(
        `Rolling.restore: the wrapped metric counts ${restored.count} pairs but the window holds ${ys.length}`,
      );
    }
    this.#inner = restored;
    this.#head = 0;
    this.#length = 0;
    this.#ps.length = 0;
    // Load all pairs in order; shrinking to a smaller window reverts the oldest extra ones.
    const start = Math.max(0, ys.length - this.size);
    for (let i = 0; i < start; i++) {
      restored.revert(decode(ys[i]), (ps[i] as unknown[]).map(decode));
    }
    for (let i = start; i < ys.length; i++) {
      const y = decode(ys[i]);
      const row = Float64Array.from(ps[i] as unknown[], decode);
      this.#ys[this.#length] = y;
      this.#ps[this.#length] = row;
      if (restored instanceof MeanMetric) this.#scores[this.#length] = restored.scoreOf(y, row);
      this.#length += 1;
    }
  }

  clone(): Rolling {
    return new Rolling(this.metric, this.size);
  }

  #evictOldest(): void {
    const slot = this.#head;
    const inner = this.#inner;
    if (inner instanceof MeanMetric) inner.remove(this.#scores[slot] as number);
    else inner.revert(this.#ys[slot] as number, this.#ps[slot] as Float64Array);
    this.#head = (slot + 1) % this.size;
    this.#length -= 1;
  }
}
