import { z } from 'zod';
import { DriftAndWarningDetectorBase } from './DriftAndWarningDetectorBase.js';
import type { StepResult } from './DriftDetectorBase.js';
import { setting } from './setting.js';
import type { SnapshotReader } from './SnapshotReader.js';

const settingsSchema = z
  .strictObject({
    /** Updates, and errors, needed before a warning or a drift can be signalled (River: 30). */
    warmStart: setting.intAtLeast(0).default(30),
    /** Warning when (p' + 2s') / max(p' + 2s') falls below this (River: 0.95). */
    alpha: setting.inUnitInterval().default(0.95),
    /** Drift when it falls below this; at most `alpha` (River: 0.9). */
    beta: setting.inUnitInterval().default(0.9),
  })
  .refine(({ alpha, beta }) => beta <= alpha, {
    path: ['beta'],
    error: ({ input }) => `a number in [0, alpha = ${(input as { alpha: number }).alpha}]`,
  });

/** Settings of {@link Eddm}: River's parameters and defaults. */
export type EddmSettings = z.input<typeof settingsSchema>;

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

type State = { -readonly [K in keyof Omit<EddmSnapshot, 'driftDetected' | 'warningDetected'>]: EddmSnapshot[K] };

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
export class Eddm extends DriftAndWarningDetectorBase<typeof settingsSchema, State, EddmSnapshot> {
  override readonly binary = true;

  constructor(settings: EddmSettings = {}) {
    super('eddm', settingsSchema, settings);
  }

  protected initial(): State {
    return { n: 0, errors: 0, lastError: 0, meanDistance: 0, m2Distance: 0, p2sMax: -1 };
  }

  /** Learns one outcome: 1 for an error, anything else a correct prediction; flags change only on errors. */
  protected step(x: number): StepResult {
    const s = this.state;
    s.n += 1;
    if (x !== 1) return false;
    s.errors += 1;
    const distance = s.n - s.lastError;
    const meanOld = s.meanDistance;
    s.meanDistance += (1 / s.errors) * (distance - s.meanDistance);
    s.m2Distance += (distance - meanOld) * (distance - s.meanDistance);
    s.lastError = s.n;
    const { warmStart, alpha, beta } = this.settings;
    if (s.n <= warmStart) return false;
    const p2s = s.meanDistance + 2 * this.#std();
    if (p2s > s.p2sMax) {
      s.p2sMax = p2s;
      return false;
    }
    if (s.errors <= warmStart) return false;
    const level = p2s / s.p2sMax;
    return level < beta ? true : { drift: false, warning: level < alpha };
  }

  /** n, errors, mean and standard deviation of the distance between errors, and the largest p' + 2s'. */
  stats(): Record<string, number> {
    const s = this.state;
    return { n: s.n, errors: s.errors, meanDistance: s.meanDistance, stdDistance: this.#std(), p2sMax: s.p2sMax };
  }

  protected save(): Omit<EddmSnapshot, 'driftDetected' | 'warningDetected'> {
    return { ...this.state };
  }

  protected load(read: SnapshotReader): State {
    const state = {
      n: read.count('n'),
      errors: read.count('errors'),
      lastError: read.count('lastError'),
      meanDistance: read.number('meanDistance'),
      m2Distance: read.number('m2Distance'),
      p2sMax: read.number('p2sMax'),
    };
    read.check(state.errors <= state.n && state.lastError <= state.n, '"errors" and "lastError" are at most "n"');
    return state;
  }

  /** Sample standard deviation (ddof 1) of the distances, 0 with fewer than two. */
  #std(): number {
    const { errors, m2Distance } = this.state;
    return errors > 1 ? Math.sqrt(m2Distance / (errors - 1)) : 0;
  }
}
