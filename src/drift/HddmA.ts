import { z } from 'zod';
import { DriftAndWarningDetectorBase } from './DriftAndWarningDetectorBase.js';
import { setting } from './setting.js';
import type { SnapshotReader } from './SnapshotReader.js';

const settingsSchema = z.strictObject({
  /** Confidence of the drift test (River: 0.001). */
  driftConfidence: setting.inOpenUnitInterval().default(0.001),
  /** Confidence of the warning test (River: 0.005). */
  warningConfidence: setting.inOpenUnitInterval().default(0.005),
  /** Also watch decreases of the error rate (River: false, increases only). */
  twoSidedTest: setting.flag().default(false),
});

/** Settings of {@link HddmA}: River's parameters and defaults. */
export type HddmASettings = z.input<typeof settingsSchema>;

/** Learned state of {@link HddmA}: three running means as (count, mean). */
export interface HddmASnapshot {
  /** Updates seen and their mean (River's `_z`). */
  readonly n: number;
  readonly mean: number;
  /** The running mean as it was at the cut point for increases (River's `_x_min`; 0, 0 before any update). */
  readonly minCutN: number;
  readonly minCutMean: number;
  /** The running mean as it was at the cut point for decreases (River's `_x_max`). */
  readonly maxCutN: number;
  readonly maxCutMean: number;
  readonly driftDetected: boolean;
  readonly warningDetected: boolean;
}

type State = { -readonly [K in keyof Omit<HddmASnapshot, 'driftDetected' | 'warningDetected'>]: HddmASnapshot[K] };

/**
 * HDDM_A (drift detection with Hoeffding's bounds, moving-average test, Frías-Blanco et al. 2014),
 * a port of River's `drift.binary.HDDMA`: keeps the running error rate and a copy of it taken where
 * mean + Hoeffding bound was smallest (largest, for decreases); warns / signals a drift when the
 * rate since then exceeds that copy by more than the bound at `warningConfidence` /
 * `driftConfidence`. Input: 1 for an error, 0 for a correct prediction.
 *
 * @example
 * const hddm = new HddmA({ twoSidedTest: true });
 * for (const miss of errors) {
 *   hddm.update(miss ? 1 : 0);
 *   if (hddm.driftDetected) switchModel();
 * }
 */
export class HddmA extends DriftAndWarningDetectorBase<typeof settingsSchema, State, HddmASnapshot> {
  override readonly binary = true;

  constructor(settings: HddmASettings = {}) {
    super('hddmA', settingsSchema, settings);
  }

  protected initial(): State {
    return { n: 0, mean: 0, minCutN: 0, minCutMean: 0, maxCutN: 0, maxCutMean: 0 };
  }

  protected step(x: number): { drift: boolean; warning: boolean } {
    const { driftConfidence, warningConfidence, twoSidedTest } = this.settings;
    const s = this.state;
    s.n += 1;
    s.mean += (1 / s.n) * (x - s.mean);
    const epsZ = this.#bound(s.n);
    if (s.minCutN === 0 || s.minCutMean + this.#bound(s.minCutN) >= s.mean + epsZ) {
      s.minCutN = s.n;
      s.minCutMean = s.mean;
    }
    if (s.maxCutN === 0 || s.maxCutMean - this.#bound(s.maxCutN) <= s.mean - epsZ) {
      s.maxCutN = s.n;
      s.maxCutMean = s.mean;
    }
    let drift = this.#exceeds(s.mean - s.minCutMean, s.minCutN, driftConfidence);
    let warning = !drift && this.#exceeds(s.mean - s.minCutMean, s.minCutN, warningConfidence);
    if (twoSidedTest) {
      if (this.#exceeds(s.maxCutMean - s.mean, s.maxCutN, driftConfidence)) drift = true;
      else if (this.#exceeds(s.maxCutMean - s.mean, s.maxCutN, warningConfidence)) warning = true;
    }
    return { drift, warning };
  }

  /** n and the error rate, and both cut points (count and mean there). */
  stats(): Record<string, number> {
    return { ...this.state };
  }

  protected save(): Omit<HddmASnapshot, 'driftDetected' | 'warningDetected'> {
    return { ...this.state };
  }

  protected load(read: SnapshotReader): State {
    const state = {
      n: read.count('n'),
      mean: read.number('mean'),
      minCutN: read.count('minCutN'),
      minCutMean: read.number('minCutMean'),
      maxCutN: read.count('maxCutN'),
      maxCutMean: read.number('maxCutMean'),
    };
    const { n, minCutN, maxCutN } = state;
    read.check(minCutN <= n && maxCutN <= n && (minCutN === 0) === (n === 0) && (maxCutN === 0) === (n === 0), 'the cut counts are in 1..n (0 when n is 0)');
    return state;
  }

  /** Hoeffding's bound on the mean of n values, at `driftConfidence` (River's `_hoeffding_bound`). */
  #bound(n: number): number {
    return Math.sqrt((1.0 / (2 * n)) * Math.log(1.0 / this.settings.driftConfidence));
  }

  /**
   * River's `_mean_incr` / `_mean_decr`: whether the rate moved by `difference` since the cut point
   * (`cutN` updates in) exceeds the bound for the values seen since, at `confidence`.
   */
  #exceeds(difference: number, cutN: number, confidence: number): boolean {
    const n = this.state.n;
    if (cutN === n) return false;
    const m = ((n - cutN) / cutN) * (1.0 / n);
    const eps = Math.sqrt((m / 2) * Math.log(2.0 / confidence));
    return difference >= eps;
  }
}
