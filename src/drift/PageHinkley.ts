import { z } from 'zod';
import { DriftDetectorBase } from './DriftDetectorBase.js';
import { setting } from './setting.js';
import type { SnapshotReader } from './SnapshotReader.js';

const settingsSchema = z.strictObject({
  /** Updates needed before a change can be detected (River: 30). */
  minInstances: setting.intAtLeast(0).default(30),
  /** Magnitude of changes that are tolerated (River: 0.005). */
  delta: setting.finite().default(0.005),
  /** Detection threshold, lambda (River: 50). */
  threshold: setting.finite().default(50),
  /** Forgetting factor of the cumulative sums (River: 1 - 0.0001). */
  alpha: setting.inUnitInterval().default(1 - 0.0001),
  /** Changes to watch: increases, decreases or both (River: 'both'). */
  mode: setting.oneOf(['up', 'down', 'both']).default('both'),
});

/** Settings of {@link PageHinkley}: River's parameters and defaults. */
export type PageHinkleySettings = z.input<typeof settingsSchema>;

/** Learned state of {@link PageHinkley}. */
export interface PageHinkleySnapshot {
  readonly n: number;
  readonly mean: number;
  readonly sumIncrease: number;
  readonly sumDecrease: number;
  /** Minimum of `sumIncrease` so far; null before the first update. */
  readonly minIncrease: number | null;
  readonly maxDecrease: number;
  readonly driftDetected: boolean;
}

interface State {
  n: number;
  mean: number;
  sumIncrease: number;
  sumDecrease: number;
  minIncrease: number;
  maxDecrease: number;
}

/**
 * Page-Hinkley test (CUSUM of deviations from the running mean), a port of River's
 * `drift.PageHinkley`: two faded cumulative sums track increases and decreases of the mean, and a
 * drift is signalled when one departs from its extreme by more than `threshold`.
 *
 * @example
 * const ph = new PageHinkley({ threshold: 20 });
 * for (const loss of losses) {
 *   ph.update(loss);
 *   if (ph.driftDetected) console.log('drift', ph.stats().testIncrease);
 * }
 */
export class PageHinkley extends DriftDetectorBase<typeof settingsSchema, State, PageHinkleySnapshot> {
  constructor(settings: PageHinkleySettings = {}) {
    super('pageHinkley', settingsSchema, settings);
  }

  protected initial(): State {
    // River starts maxDecrease at -1, not -inf
    return { n: 0, mean: 0, sumIncrease: 0, sumDecrease: 0, minIncrease: Infinity, maxDecrease: -1 };
  }

  protected step(x: number): boolean {
    const { alpha, delta, threshold, minInstances, mode } = this.settings;
    const s = this.state;
    s.n += 1;
    s.mean += (1 / s.n) * (x - s.mean);
    const dev = x - s.mean;
    s.sumIncrease = alpha * s.sumIncrease + dev - delta;
    s.sumDecrease = alpha * s.sumDecrease + dev + delta;
    if (s.sumIncrease < s.minIncrease) s.minIncrease = s.sumIncrease;
    if (s.sumDecrease > s.maxDecrease) s.maxDecrease = s.sumDecrease;
    if (s.n < minInstances) return false;
    const up = s.sumIncrease - s.minIncrease > threshold;
    const down = s.maxDecrease - s.sumDecrease > threshold;
    return mode === 'up' ? up : mode === 'down' ? down : up || down;
  }

  /** n, the running mean, both cumulative sums and the two test statistics compared with `threshold`. */
  stats(): Record<string, number> {
    const s = this.state;
    return {
      n: s.n,
      mean: s.mean,
      sumIncrease: s.sumIncrease,
      sumDecrease: s.sumDecrease,
      testIncrease: s.n === 0 ? 0 : s.sumIncrease - s.minIncrease,
      testDecrease: s.n === 0 ? 0 : s.maxDecrease - s.sumDecrease,
    };
  }

  protected save(): Omit<PageHinkleySnapshot, 'driftDetected'> {
    const s = this.state;
    return { ...s, minIncrease: s.n === 0 ? null : s.minIncrease };
  }

  protected load(read: SnapshotReader): State {
    const n = read.count('n');
    const minIncrease = read.numberOrNull('minIncrease');
    read.check((minIncrease === null) === (n === 0), '"minIncrease" is null exactly when n is 0');
    return {
      n,
      mean: read.number('mean'),
      sumIncrease: read.number('sumIncrease'),
      sumDecrease: read.number('sumDecrease'),
      minIncrease: minIncrease ?? Infinity,
      maxDecrease: read.number('maxDecrease'),
    };
  }
}
