import { ConfigError } from '../errors.js';
import type { DriftDetector } from './DriftDetector.js';
import { SnapshotReader } from './SnapshotReader.js';

/** Settings of {@link Adwin}: River's parameters and defaults. */
export interface AdwinSettings {
  /** Significance value (River: 0.002). */
  readonly delta?: number;
  /** Check for changes every `clock` updates (River: 32). */
  readonly clock?: number;
  /** Buckets of each size kept before two are merged (River: 5). */
  readonly maxBuckets?: number;
  /** Smallest sub-window length considered for a cut (River: 5). */
  readonly minWindowLength?: number;
  /** No change is checked until the window holds more than this many values (River: 10). */
  readonly gracePeriod?: number;
}

/** One row of the exponential histogram: buckets summarising 2^row values each, oldest first. */
export interface AdwinRow {
  /** Sum of the values of each bucket. */
  readonly totals: number[];
  /** Sum of squared deviations from the bucket mean, per bucket. */
  readonly variances: number[];
}

/** Learned state of {@link Adwin}. */
export interface AdwinSnapshot {
  readonly width: number;
  readonly total: number;
  /** Sum of squared deviations from the mean over the whole window. */
  readonly variance: number;
  readonly tick: number;
  /** Row i holds buckets of 2^i values. */
  readonly rows: AdwinRow[];
  readonly driftDetected: boolean;
}

interface Row {
  totals: number[];
  variances: number[];
}

/**
 * ADWIN (adaptive windowing, Bifet & Gavaldà 2007), a port of River's `drift.ADWIN` (its Rust
 * `AdaptiveWindowing`, itself a line-by-line port of the former Cython code): the window is kept
 * as an exponential histogram (rows of at most `maxBuckets` buckets of 2^row values), and every
 * `clock` updates each cut between buckets is tested; a cut whose two sub-window means differ by
 * more than the Hoeffding/Bernstein bound drops the oldest bucket and signals a drift.
 *
 * @example
 * const adwin = new Adwin({ delta: 0.002 });
 * for (const loss of losses) {
 *   adwin.update(loss);
 *   if (adwin.driftDetected) console.log('drift; window mean', adwin.stats().mean);
 * }
 */
export class Adwin implements DriftDetector {
  readonly name = 'adwin';
  readonly settings: Readonly<Required<AdwinSettings>>;
  #width = 0;
  #total = 0;
  #variance = 0;
  #tick = 0;
  #rows: Row[] = [{ totals: [], variances: [] }];
  #drift = false;

  constructor(settings: AdwinSettings = {}) {
    const { delta = 0.002, clock = 32, maxBuckets = 5, minWindowLength = 5, gracePeriod = 10 } = settings;
    const fail = (field: string, value: unknown, expected: string): never => {
      throw new ConfigError(`Adwin: "${field}" must be ${expected}, got ${JSON.stringify(value)}`);
    };
    if (!(delta > 0 && delta < 1)) fail('delta', delta, 'a number in (0, 1)');
    if (!Number.isInteger(clock) || clock < 1) fail('clock', clock, 'an integer >= 1');
    if (!Number.isInteger(maxBuckets) || maxBuckets < 1) fail('maxBuckets', maxBuckets, 'an integer >= 1');
    if (!Number.isInteger(minWindowLength) || minWindowLength < 1) fail('minWindowLength', minWindowLength, 'an integer >= 1');
    if (!Number.isInteger(gracePeriod) || gracePeriod < 0) fail('gracePeriod', gracePeriod, 'an integer >= 0');
    this.settings = Object.freeze({ delta, clock, maxBuckets, minWindowLength, gracePeriod });
  }

  get driftDetected(): boolean {
    return this.#drift;
  }

  update(x: number): void {
    if (this.#drift) this.reset(); // River starts a new window on the update after a detection
    if (!Number.isFinite(x)) return;
    this.#insert(x);
    this.#drift = this.#detectChange();
  }

  reset(): void {
    this.#width = 0;
    this.#total = 0;
    this.#variance = 0;
    this.#tick = 0;
    this.#rows = [{ totals: [], variances: [] }];
    this.#drift = false;
  }

  /** Window width, sum, mean and population variance of the window, and the number of buckets. */
  stats(): Record<string, number> {
    const w = this.#width;
    return {
      width: w,
      total: this.#total,
      mean: w === 0 ? 0 : this.#total / w,
      variance: w === 0 ? 0 : this.#variance / w,
      buckets: this.#rows.reduce((n, row) => n + row.totals.length, 0),
    };
  }

  snapshot(): AdwinSnapshot {
    return {
      width: this.#width,
      total: this.#total,
      variance: this.#variance,
      tick: this.#tick,
      rows: this.#rows.map((r) => ({ totals: [...r.totals], variances: [...r.variances] })),
      driftDetected: this.#drift,
    };
  }

  restore(snapshot: AdwinSnapshot): void {
    const read = new SnapshotReader('Adwin', snapshot);
    const rows = read.list('rows').map((r) => {
      const totals = r.numbers('totals');
      return { totals, variances: r.numbers('variances', totals.length) };
    });
    const width = read.count('width');
    const { maxBuckets } = this.settings;
    read.check(rows.length >= 1 && rows.every((r) => r.totals.length <= maxBuckets), `"rows" must hold 1+ rows of at most ${maxBuckets} buckets`);
    read.check(rows.reduce((n, r, i) => n + r.totals.length * 2 ** i, 0) === width, '"width" must equal the values held by the buckets');
    const state = { total: read.number('total'), variance: read.number('variance'), tick: read.count('tick'), drift: read.boolean('driftDetected') };
    this.#width = width;
    this.#total = state.total;
    this.#variance = state.variance;
    this.#tick = state.tick;
    this.#rows = rows.map((r) => ({ totals: [...r.totals], variances: [...r.variances] }));
    this.#drift = state.drift;
  }

  /** Adds a value as a new bucket of row 0 and updates the window's sum and variance. */
  #insert(x: number): void {
    (this.#rows[0] as Row).totals.push(x);
    (this.#rows[0] as Row).variances.push(0);
    this.#width += 1;
    let incremental = 0;
    if (this.#width > 1) {
      const d = x - this.#total / (this.#width - 1);
      incremental = ((this.#width - 1) * d * d) / this.#width;
    }
    this.#variance += incremental;
    this.#total += x;
    this.#compress();
  }

  /** Merges the two oldest buckets of each overflowing row into one bucket of the next row. */
  #compress(): void {
    const { maxBuckets } = this.settings;
    for (let i = 0; ; i++) {
      const row = this.#rows[i] as Row;
      if (row.totals.length !== maxBuckets + 1) return;
      const n1 = 2 ** i;
      const [t0, t1] = row.totals as [number, number];
      const [v0, v1] = row.variances as [number, number];
      const mu1 = t0 / n1;
      const mu2 = t1 / n1;
      const temp = n1 * 0.5 * (mu1 - mu2) * (mu1 - mu2);
      if (i + 1 >= this.#rows.length) this.#rows.push({ totals: [], variances: [] });
      const next = this.#rows[i + 1] as Row;
      next.totals.push(t0 + t1);
      next.variances.push(v0 + v1 + temp);
      row.totals.splice(0, 2);
      row.variances.splice(0, 2);
      if (next.totals.length <= maxBuckets) return;
    }
  }

  /** Drops the oldest bucket (first of the last row). */
  #deleteOldest(): void {
    const last = this.#rows.length - 1;
    const row = this.#rows[last] as Row;
    const n = 2 ** last;
    const u = row.totals[0] as number;
    const v = row.variances[0] as number;
    const mu = u / n;
    this.#width -= n;
    this.#total -= u;
    const muWindow = this.#total / this.#width;
    this.#variance -= v + (n * this.#width * (mu - muWindow) * (mu - muWindow)) / (n + this.#width);
    row.totals.shift();
    row.variances.shift();
    if (row.totals.length === 0) this.#rows.pop();
  }

  /**
   * Every `clock` ticks, walks the cuts from the oldest bucket to the newest; on a significant cut
   * drops the oldest bucket and starts the walk over, until no cut is significant.
   */
  #detectChange(): boolean {
    const { clock, gracePeriod, minWindowLength } = this.settings;
    let detected = false;
    this.#tick += 1;
    if (this.#tick % clock !== 0 || !(this.#width > gracePeriod)) return false;
    let reduce = true;
    while (reduce) {
      reduce = false;
      let n0 = 0;
      let n1 = this.#width;
      let u0 = 0;
      let u1 = this.#total;
      walk: for (let i = this.#rows.length - 1; i >= 0; i--) {
        const size = 2 ** i;
        const totals = (this.#rows[i] as Row).totals;
        for (let k = 0; k < totals.length; k++) {
          n0 += size;
          n1 -= size;
          const t = totals[k] as number;
          u0 += t;
          u1 -= t;
          if (i === 0 && k === totals.length - 1) break walk;
          const deltaMean = u0 / n0 - u1 / n1;
          if (n1 >= minWindowLength && n0 >= minWindowLength && this.#cutIsSignificant(n0, n1, deltaMean)) {
            reduce = true;
            detected = true;
            if (this.#width > 0) {
              this.#deleteOldest();
              break walk;
            }
          }
        }
      }
    }
    return detected;
  }

  #cutIsSignificant(n0: number, n1: number, deltaMean: number): boolean {
    const { delta, minWindowLength } = this.settings;
    const deltaPrime = Math.log((2 * Math.log(this.#width)) / delta);
    const mRecip = 1 / (n0 - minWindowLength + 1) + 1 / (n1 - minWindowLength + 1);
    const epsilon = Math.sqrt(2 * mRecip * (this.#variance / this.#width) * deltaPrime) + (2 / 3) * deltaPrime * mRecip;
    return Math.abs(deltaMean) > epsilon;
  }
}
