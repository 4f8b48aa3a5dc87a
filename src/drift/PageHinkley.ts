import { ConfigError } from '../errors.js';
import type { DriftDetector } from './DriftDetector.js';
import { SnapshotReader } from './SnapshotReader.js';

/** Settings of {@link PageHinkley}: River's parameters and defaults. */
export interface PageHinkleySettings {
  /** Updates needed before a change can be detected (River: 30). */
  readonly minInstances?: number;
  /** Magnitude of changes that are tolerated (River: 0.005). */
  readonly delta?: number;
  /** Detection threshold, lambda (River: 50). */
  readonly threshold?: number;
  /** Forgetting factor of the cumulative sums (River: 1 - 0.0001). */
  readonly alpha?: number;
  /** Changes to watch: increases, decreases or both (River: 'both'). */
  readonly mode?: 'up' | 'down' | 'both';
}

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
export class PageHinkley implements DriftDetector {
  readonly name = 'pageHinkley';
  readonly settings: Readonly<Required<PageHinkleySettings>>;
  #n = 0;
  #mean = 0;
  #sumIncrease = 0;
  #sumDecrease = 0;
  #minIncrease = Infinity;
  #maxDecrease = -1; // River starts it at -1, not -inf
  #drift = false;

  constructor(settings: PageHinkleySettings = {}) {
    const { minInstances = 30, delta = 0.005, threshold = 50, alpha = 1 - 0.0001, mode = 'both' } = settings;
    const fail = (field: string, value: unknown, expected: string): never => {
      throw new ConfigError(`PageHinkley: "${field}" must be ${expected}, got ${JSON.stringify(value)}`);
    };
    if (!Number.isInteger(minInstances) || minInstances < 0) fail('minInstances', minInstances, 'an integer >= 0');
    if (!Number.isFinite(delta)) fail('delta', delta, 'a finite number');
    if (!Number.isFinite(threshold)) fail('threshold', threshold, 'a finite number');
    if (!(alpha >= 0 && alpha <= 1)) fail('alpha', alpha, 'a number in [0, 1]');
    if (!['up', 'down', 'both'].includes(mode)) fail('mode', mode, "one of 'up', 'down', 'both'");
    this.settings = Object.freeze({ minInstances, delta, threshold, alpha, mode });
  }

  get driftDetected(): boolean {
    return this.#drift;
  }

  update(x: number): void {
    if (this.#drift) this.reset(); // River restarts on the update after a detection
    if (!Number.isFinite(x)) return;
    const { alpha, delta, threshold, minInstances, mode } = this.settings;
    this.#n += 1;
    this.#mean += (1 / this.#n) * (x - this.#mean);
    const dev = x - this.#mean;
    this.#sumIncrease = alpha * this.#sumIncrease + dev - delta;
    this.#sumDecrease = alpha * this.#sumDecrease + dev + delta;
    if (this.#sumIncrease < this.#minIncrease) this.#minIncrease = this.#sumIncrease;
    if (this.#sumDecrease > this.#maxDecrease) this.#maxDecrease = this.#sumDecrease;
    if (this.#n >= minInstances) {
      const up = this.#sumIncrease - this.#minIncrease > threshold;
      const down = this.#maxDecrease - this.#sumDecrease > threshold;
      this.#drift = mode === 'up' ? up : mode === 'down' ? down : up || down;
    }
  }

  reset(): void {
    this.#n = 0;
    this.#mean = 0;
    this.#sumIncrease = 0;
    this.#sumDecrease = 0;
    this.#minIncrease = Infinity;
    this.#maxDecrease = -1;
    this.#drift = false;
  }

  /** n, the running mean, both cumulative sums and the two test statistics compared with `threshold`. */
  stats(): Record<string, number> {
    return {
      n: this.#n,
      mean: this.#mean,
      sumIncrease: this.#sumIncrease,
      sumDecrease: this.#sumDecrease,
      testIncrease: this.#n === 0 ? 0 : this.#sumIncrease - this.#minIncrease,
      testDecrease: this.#n === 0 ? 0 : this.#maxDecrease - this.#sumDecrease,
    };
  }

  snapshot(): PageHinkleySnapshot {
    return {
      n: this.#n,
      mean: this.#mean,
      sumIncrease: this.#sumIncrease,
      sumDecrease: this.#sumDecrease,
      minIncrease: this.#n === 0 ? null : this.#minIncrease,
      maxDecrease: this.#maxDecrease,
      driftDetected: this.#drift,
    };
  }

  restore(snapshot: PageHinkleySnapshot): void {
    const read = new SnapshotReader('PageHinkley', snapshot);
    const state = {
      n: read.count('n'),
      mean: read.number('mean'),
      sumIncrease: read.number('sumIncrease'),
      sumDecrease: read.number('sumDecrease'),
      minIncrease: read.numberOrNull('minIncrease'),
      maxDecrease: read.number('maxDecrease'),
      drift: read.boolean('driftDetected'),
    };
    read.check((state.minIncrease === null) === (state.n === 0), '"minIncrease" is null exactly when n is 0');
    this.#n = state.n;
    this.#mean = state.mean;
    this.#sumIncrease = state.sumIncrease;
    this.#sumDecrease = state.sumDecrease;
    this.#minIncrease = state.minIncrease ?? Infinity;
    this.#maxDecrease = state.maxDecrease;
    this.#drift = state.drift;
  }
}
