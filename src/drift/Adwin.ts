import { z } from 'zod';
import { DriftDetectorBase } from './DriftDetectorBase.js';
import { setting } from './setting.js';
import type { SnapshotReader } from './SnapshotReader.js';

const settingsSchema = z.strictObject({
  /** Significance value (River: 0.002). */
  delta: setting.inOpenUnitInterval().default(0.002),
  /** Check for changes every `clock` updates (River: 32). */
  clock: setting.intAtLeast(1).default(32),
  /** Buckets of each size kept before two are merged (River: 5). */
  maxBuckets: setting.intAtLeast(1).default(5),
  /** Smallest sub-window length considered for a cut (River: 5). */
  minWindowLength: setting.intAtLeast(1).default(5),
  /** No change is checked until the window holds more than this many values (River: 10). */
  gracePeriod: setting.intAtLeast(0).default(10),
});

/** Settings of {@link Adwin}: River's parameters and defaults. */
export type AdwinSettings = z.input<typeof settingsSchema>;

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

interface State {
  width: number;
  total: number;
  /** Sum of squared deviations from the mean over the whole window. */
  variance: number;
  tick: number;
  rows: Row[];
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
export class Adwin extends DriftDetectorBase<typeof settingsSchema, State, AdwinSnapshot> {
  constructor(settings: AdwinSettings = {}) {
    super('adwin', settingsSchema, settings);
  }

  protected initial(): State {
    return { width: 0, total: 0, variance: 0, tick: 0, rows: [{ totals: [], variances: [] }] };
  }

  protected step(x: number): boolean {
    this.#insert(x);
    return this.#detectChange();
  }

  /** Window width, sum, mean and population variance of the window, and the number of buckets. */
  stats(): Record<string, number> {
    const { width: w, total, variance, rows } = this.state;
    return {
      width: w,
      total,
      mean: w === 0 ? 0 : total / w,
      variance: w === 0 ? 0 : variance / w,
      buckets: rows.reduce((n, row) => n + row.totals.length, 0),
    };
  }

  protected save(): Omit<AdwinSnapshot, 'driftDetected'> {
    const { width, total, variance, tick, rows } = this.state;
    return { width, total, variance, tick, rows: rows.map((r) => ({ totals: [...r.totals], variances: [...r.variances] })) };
  }

  protected load(read: SnapshotReader): State {
    const rows = read.list('rows').map((r) => {
      const totals = r.numbers('totals');
      return { totals: [...totals], variances: [...r.numbers('variances', totals.length)] };
    });
    const width = read.count('width');
    const { maxBuckets } = this.settings;
    read.check(rows.length >= 1 && rows.every((r) => r.totals.length <= maxBuckets), `"rows" must hold 1+ rows of at most ${maxBuckets} buckets`);
    read.check(rows.reduce((n, r, i) => n + r.totals.length * 2 ** i, 0) === width, '"width" must equal the values held by the buckets');
    return { width, total: read.number('total'), variance: read.number('variance'), tick: read.count('tick'), rows };
  }

  /** Adds a value as a new bucket of row 0 and updates the window's sum and variance. */
  #insert(x: number): void {
    const s = this.state;
    (s.rows[0] as Row).totals.push(x);
    (s.rows[0] as Row).variances.push(0);
    s.width += 1;
    let incremental = 0;
    if (s.width > 1) {
      const d = x - s.total / (s.width - 1);
      incremental = ((s.width - 1) * d * d) / s.width;
    }
    s.variance += incremental;
    s.total += x;
    this.#compress();
  }

  /** Merges the two oldest buckets of each overflowing row into one bucket of the next row. */
  #compress(): void {
    const s = this.state;
    const { maxBuckets } = this.settings;
    for (let i = 0; ; i++) {
      const row = s.rows[i] as Row;
      if (row.totals.length !== maxBuckets + 1) return;
      const n1 = 2 ** i;
      const [t0, t1] = row.totals as [number, number];
      const [v0, v1] = row.variances as [number, number];
      const mu1 = t0 / n1;
      const mu2 = t1 / n1;
      const temp = n1 * 0.5 * (mu1 - mu2) * (mu1 - mu2);
      if (i + 1 >= s.rows.length) s.rows.push({ totals: [], variances: [] });
      const next = s.rows[i + 1] as Row;
      next.totals.push(t0 + t1);
      next.variances.push(v0 + v1 + temp);
      row.totals.splice(0, 2);
      row.variances.splice(0, 2);
      if (next.totals.length <= maxBuckets) return;
    }
  }

  /** Drops the oldest bucket (first of the last row). */
  #deleteOldest(): void {
    const s = this.state;
    const last = s.rows.length - 1;
    const row = s.rows[last] as Row;
    const n = 2 ** last;
    const u = row.totals[0] as number;
    const v = row.variances[0] as number;
    const mu = u / n;
    s.width -= n;
    s.total -= u;
    const muWindow = s.total / s.width;
    s.variance -= v + (n * s.width * (mu - muWindow) * (mu - muWindow)) / (n + s.width);
    row.totals.shift();
    row.variances.shift();
    if (row.totals.length === 0) s.rows.pop();
  }

  /**
   * Every `clock` ticks, walks the cuts from the oldest bucket to the newest; on a significant cut
   * drops the oldest bucket and starts the walk over, until no cut is significant.
   */
  #detectChange(): boolean {
    const s = this.state;
    const { clock, gracePeriod, minWindowLength } = this.settings;
    let detected = false;
    s.tick += 1;
    if (s.tick % clock !== 0 || !(s.width > gracePeriod)) return false;
    let reduce = true;
    while (reduce) {
      reduce = false;
      let n0 = 0;
      let n1 = s.width;
      let u0 = 0;
      let u1 = s.total;
      walk: for (let i = s.rows.length - 1; i >= 0; i--) {
        const size = 2 ** i;
        const totals = (s.rows[i] as Row).totals;
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
            if (s.width > 0) {
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
    const s = this.state;
    const { delta, minWindowLength } = this.settings;
    const deltaPrime = Math.log((2 * Math.log(s.width)) / delta);
    const mRecip = 1 / (n0 - minWindowLength + 1) + 1 / (n1 - minWindowLength + 1);
    const epsilon = Math.sqrt(2 * mRecip * (s.variance / s.width) * deltaPrime) + (2 / 3) * deltaPrime * mRecip;
    return Math.abs(deltaMean) > epsilon;
  }
}
