import { ConfigError } from '../errors.js';
import type { DriftDetector } from './DriftDetector.js';
import { SnapshotReader } from './SnapshotReader.js';

/** Settings of {@link Eddm}: River's parameters and defaults. */
export interface EddmSettings {
  /** Updates, and errors, needed before a warning or a drift can be signalled (River: 30). */
  readonly warmStart?: number;
  /** Warning when (p' + 2s') / max(p' + 2s') falls below this (River: 0.95). */
  readonly alpha?: number;
  /** Drift when it falls below this; at most `alpha` (River: 0.9). */
  readonly beta?: number;
}

/** Learned state of {@link Eddm}. */
export interface EddmSnapshot {
  /** Updates seen. */
  readonly n: number;
  /** Errors seen (the count of distances). */
  readonly errors: number;
  /** Update count at the last error (0 before any). */
  readonly lastError: number;
  /** Running mean of the distances between errors. */
  readonly meanDistance: number;
  /** Sum of squared deviations of the distances from their mean. */
  readonly m2Distance: number;
  /** Largest p' + 2s' seen (-1 before any). */
  readonly p2sMax: number;
  readonly driftDetected: boolean;
  readonly warningDetected: boolean;
}

/**
 * EDDM (Early Drift Detection Method, Baena-García et al. 2006), a port of River's
 * `drift.binary.EDDM`: tracks the mean p' and standard deviation s' of the distance (in updates)
 * between two errors and their largest p' + 2s'; when the ratio of the current p' + 2s' to that
 * maximum falls below `alpha` it warns, below `beta` it signals a drift. Input: 1 for an error,
 * anything else counts as a correct prediction. Flags change only on errors.
 *
 * River takes s' as `variance ** 0.5` (libm's pow), this port as `Math.sqrt` (correctly rounded):
 * the two can differ in the last bit, which could move a detection only on an exact tie.
 *
 * @example
 * const eddm = new Eddm({ alpha: 0.8, beta: 0.75 });
 * for (const miss of errors) {
 *   eddm.update(miss ? 1 : 0);
 *   if (eddm.driftDetected) switchModel();
 * }
 */
export class Eddm implements DriftDetector {
  readonly name = 'eddm';
  readonly settings: Readonly<Required<EddmSettings>>;
  #n = 0;
  #errors = 0;
  #lastError = 0;
  #mean = 0;
  #m2 = 0;
  #p2sMax = -1;
  #drift = false;
  #warning = false;

  constructor(settings: EddmSettings = {}) {
    const { warmStart = 30, alpha = 0.95, beta = 0.9 } = settings;
    const fail = (field: string, value: unknown, expected: string): never => {
      throw new ConfigError(`Eddm: "${field}" must be ${expected}, got ${JSON.stringify(value)}`);
    };
    if (!Number.isInteger(warmStart) || warmStart < 0) fail('warmStart', warmStart, 'an integer >= 0');
    if (!(alpha >= 0 && alpha <= 1)) fail('alpha', alpha, 'a number in [0, 1]');
    if (!(beta >= 0 && beta <= alpha)) fail('beta', beta, `a number in [0, alpha = ${alpha}]`);
    this.settings = Object.freeze({ warmStart, alpha, beta });
  }

  get driftDetected(): boolean {
    return this.#drift;
  }

  get warningDetected(): boolean {
    return this.#warning;
  }

  /** Feeds one outcome: 1 for an error, 0 for a correct prediction. */
  update(x: number): void {
    if (this.#drift) this.reset(); // River restarts on the update after a detection
    if (!Number.isFinite(x)) return;
    this.#n += 1;
    if (x !== 1) return;
    this.#errors += 1;
    const distance = this.#n - this.#lastError;
    const meanOld = this.#mean;
    this.#mean += (1 / this.#errors) * (distance - this.#mean);
    this.#m2 += (distance - meanOld) * (distance - this.#mean);
    const { warmStart, alpha, beta } = this.settings;
    if (this.#n > warmStart) {
      const p2s = this.#mean + 2 * this.#std();
      if (p2s > this.#p2sMax) {
        this.#p2sMax = p2s;
      } else if (this.#errors > warmStart) {
        const level = p2s / this.#p2sMax;
        if (level < beta) this.#drift = true;
        else this.#warning = level < alpha;
      }
    }
    this.#lastError = this.#n;
  }

  reset(): void {
    this.#n = 0;
    this.#errors = 0;
    this.#lastError = 0;
    this.#mean = 0;
    this.#m2 = 0;
    this.#p2sMax = -1;
    this.#drift = false;
    this.#warning = false;
  }

  /** n, errors, mean and standard deviation of the distance between errors, and the largest p' + 2s'. */
  stats(): Record<string, number> {
    return {
      n: this.#n,
      errors: this.#errors,
      meanDistance: this.#mean,
      stdDistance: this.#std(),
      p2sMax: this.#p2sMax,
    };
  }

  snapshot(): EddmSnapshot {
    return {
      n: this.#n,
      errors: this.#errors,
      lastError: this.#lastError,
      meanDistance: this.#mean,
      m2Distance: this.#m2,
      p2sMax: this.#p2sMax,
      driftDetected: this.#drift,
      warningDetected: this.#warning,
    };
  }

  restore(snapshot: EddmSnapshot): void {
    const read = new SnapshotReader('Eddm', snapshot);
    const state = {
      n: read.count('n'),
      errors: read.count('errors'),
      lastError: read.count('lastError'),
      mean: read.number('meanDistance'),
      m2: read.number('m2Distance'),
      p2sMax: read.number('p2sMax'),
      drift: read.boolean('driftDetected'),
      warning: read.boolean('warningDetected'),
    };
    read.check(state.errors <= state.n && state.lastError <= state.n, '"errors" and "lastError" are at most "n"');
    this.#n = state.n;
    this.#errors = state.errors;
    this.#lastError = state.lastError;
    this.#mean = state.mean;
    this.#m2 = state.m2;
    this.#p2sMax = state.p2sMax;
    this.#drift = state.drift;
    this.#warning = state.warning;
  }

  /** Sample standard deviation (ddof 1) of the distances, 0 with fewer than two. */
  #std(): number {
    return this.#errors > 1 ? Math.sqrt(this.#m2 / (this.#errors - 1)) : 0;
  }
}
