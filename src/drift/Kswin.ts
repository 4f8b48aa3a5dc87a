import { ConfigError } from '../errors.js';
import type { DriftDetector } from './DriftDetector.js';
import { ksTwoSample } from './ksTwoSample.js';
import { PythonRandom, type PythonRandomState } from './PythonRandom.js';
import { SnapshotReader } from './SnapshotReader.js';

/** Settings of {@link Kswin}: River's parameters and defaults. */
export interface KswinSettings {
  /** Significance of the Kolmogorov-Smirnov test (River: 0.005). */
  readonly alpha?: number;
  /** Length of the sliding window (River: 100). */
  readonly windowSize?: number;
  /** Length of the recent part compared with a sample of the older part (River: 30; at most 10,000). */
  readonly statSize?: number;
  /**
   * Seed of the sampling generator, drawn as Python's `random.Random(seed)` would (River: None).
   * Absent: a random seed at construction and after each drift, as River does without a seed.
   */
  readonly seed?: number;
  /** Values already collected, to avoid a cold start (River: None). */
  readonly window?: readonly number[];
}

/** Learned state of {@link Kswin}. */
export interface KswinSnapshot {
  /** Updates since the start or the last drift. */
  readonly n: number;
  /** The sliding window's values, oldest first. */
  readonly values: number[];
  /** Statistic and p-value of the last test (0 and 0 before any). */
  readonly statistic: number;
  readonly pValue: number;
  readonly rng: PythonRandomState;
  readonly driftDetected: boolean;
}

/**
 * KSWIN (Kolmogorov-Smirnov windowing, Raab et al. 2020), a port of River's `drift.KSWIN`: once the
 * sliding window is full, the last `statSize` values are compared by a two-sample KS test with
 * `statSize` values drawn without replacement from the rest; a drift is signalled when
 * p <= alpha and D > 0.1. With a `seed` the draws, hence the detections, are River's own.
 *
 * @example
 * const kswin = new Kswin({ alpha: 0.0001, seed: 42 });
 * for (const loss of losses) {
 *   kswin.update(loss);
 *   if (kswin.driftDetected) console.log('drift, p =', kswin.stats().pValue);
 * }
 */
export class Kswin implements DriftDetector {
  readonly name = 'kswin';
  readonly settings: Readonly<KswinSettings & Required<Omit<KswinSettings, 'seed' | 'window'>>>;
  #n = 0;
  #window: number[] = [];
  #statistic = 0;
  #pValue = 0;
  #rng: PythonRandom;
  #drift = false;

  constructor(settings: KswinSettings = {}) {
    const { alpha = 0.005, windowSize = 100, statSize = 30, seed, window } = settings;
    const fail = (field: string, value: unknown, expected: string): never => {
      throw new ConfigError(`Kswin: "${field}" must be ${expected}, got ${JSON.stringify(value)}`);
    };
    if (!(alpha >= 0 && alpha <= 1)) fail('alpha', alpha, 'a number in [0, 1]');
    if (!Number.isInteger(statSize) || statSize < 1 || statSize > 10_000) fail('statSize', statSize, 'an integer in [1, 10000]');
    if (!Number.isInteger(windowSize) || windowSize < 2 * statSize) {
      fail('windowSize', windowSize, `an integer >= 2 * statSize = ${2 * statSize}`);
    }
    if (seed !== undefined && !(Number.isSafeInteger(seed) && seed >= 0)) fail('seed', seed, 'a non-negative integer');
    if (window !== undefined && !(Array.isArray(window) && window.every(Number.isFinite))) fail('window', window, 'an array of finite numbers');
    this.settings = Object.freeze({ alpha, windowSize, statSize, seed, window: window && Object.freeze([...window]) });
    this.#rng = this.#newRng();
    this.reset();
  }

  get driftDetected(): boolean {
    return this.#drift;
  }

  update(x: number): void {
    if (this.#drift) this.#restart(); // River restarts (empty window, generator re-seeded) after a detection
    if (!Number.isFinite(x)) return;
    const { windowSize, statSize, alpha } = this.settings;
    this.#n += 1;
    this.#window.push(x);
    if (this.#window.length > windowSize) this.#window.shift();
    if (this.#window.length < windowSize) {
      this.#drift = false;
      return;
    }
    const sampled = this.#rng.sample(windowSize - statSize, statSize).map((i) => this.#window[i] as number);
    const recent = this.#window.slice(windowSize - statSize);
    const { statistic, pValue } = ksTwoSample(sampled, recent);
    this.#statistic = statistic;
    this.#pValue = pValue;
    this.#drift = pValue <= alpha && statistic > 0.1;
    if (this.#drift) this.#window = recent;
  }

  /** Back to the state right after construction (initial `window` included, generator re-seeded). */
  reset(): void {
    this.#restart();
    this.#window = [...(this.settings.window ?? [])].slice(-this.settings.windowSize);
  }

  /** n, the window's length, and the statistic and p-value of the last test. */
  stats(): Record<string, number> {
    return { n: this.#n, windowLength: this.#window.length, statistic: this.#statistic, pValue: this.#pValue };
  }

  snapshot(): KswinSnapshot {
    return {
      n: this.#n,
      values: [...this.#window],
      statistic: this.#statistic,
      pValue: this.#pValue,
      rng: this.#rng.getState(),
      driftDetected: this.#drift,
    };
  }

  restore(snapshot: KswinSnapshot): void {
    const read = new SnapshotReader('Kswin', snapshot);
    const values = read.numbers('values');
    read.check(values.length <= this.settings.windowSize, `"values" holds at most windowSize = ${this.settings.windowSize} values`);
    const state = { n: read.count('n'), statistic: read.number('statistic'), pValue: read.number('pValue'), drift: read.boolean('driftDetected') };
    const rng = this.#newRng();
    rng.setState((snapshot as { rng: PythonRandomState }).rng);
    this.#n = state.n;
    this.#window = [...values];
    this.#statistic = state.statistic;
    this.#pValue = state.pValue;
    this.#rng = rng;
    this.#drift = state.drift;
  }

  /** River's `_reset`: empty window, counters to zero, generator re-seeded. */
  #restart(): void {
    this.#n = 0;
    this.#window = [];
    this.#statistic = 0;
    this.#pValue = 0;
    this.#rng = this.#newRng();
    this.#drift = false;
  }

  #newRng(): PythonRandom {
    return new PythonRandom(this.settings.seed ?? Math.floor(Math.random() * 2 ** 32));
  }
}
