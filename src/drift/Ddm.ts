import { ConfigError } from '../errors.js';
import type { DriftDetector } from './DriftDetector.js';
import { SnapshotReader } from './SnapshotReader.js';

/** Settings of {@link Ddm}: River's parameters and defaults. */
export interface DdmSettings {
  /** Updates needed before a warning or a drift can be signalled (River: 30). */
  readonly warmStart?: number;
  /** Standard deviations above the best p + s that start the warning zone (River: 2). */
  readonly warningThreshold?: number;
  /** Standard deviations above the best p + s that signal a drift (River: 3). */
  readonly driftThreshold?: number;
}

/** Learned state of {@link Ddm}. */
export interface DdmSnapshot {
  readonly n: number;
  /** Running error rate. */
  readonly p: number;
  /** Error rate and its standard deviation where p + s was smallest; null until set. */
  readonly pMin: number | null;
  readonly sMin: number | null;
  readonly driftDetected: boolean;
  readonly warningDetected: boolean;
}

/**
 * DDM (Drift Detection Method, Gama et al. 2004), a port of River's `drift.binary.DDM`: tracks the
 * error rate p and its binomial standard deviation s = sqrt(p(1-p)/n), remembers where p + s was
 * smallest, and warns / signals a drift when p + s exceeds p_min + k * s_min. Input: 1 for an
 * error, 0 for a correct prediction.
 *
 * @example
 * const ddm = new Ddm();
 * for (const miss of errors) {
 *   ddm.update(miss ? 1 : 0);
 *   if (ddm.warningDetected) prepareBackupModel();
 *   if (ddm.driftDetected) switchModel();
 * }
 */
export class Ddm implements DriftDetector {
  readonly name = 'ddm';
  readonly settings: Readonly<Required<DdmSettings>>;
  #n = 0;
  #p = 0;
  #pMin: number | null = null;
  #sMin: number | null = null;
  #psMin = Infinity;
  #drift = false;
  #warning = false;

  constructor(settings: DdmSettings = {}) {
    const { warmStart = 30, warningThreshold = 2, driftThreshold = 3 } = settings;
    const fail = (field: string, value: unknown, expected: string): never => {
      throw new ConfigError(`Ddm: "${field}" must be ${expected}, got ${JSON.stringify(value)}`);
    };
    if (!Number.isInteger(warmStart) || warmStart < 0) fail('warmStart', warmStart, 'an integer >= 0');
    if (!Number.isFinite(warningThreshold)) fail('warningThreshold', warningThreshold, 'a finite number');
    if (!Number.isFinite(driftThreshold)) fail('driftThreshold', driftThreshold, 'a finite number');
    this.settings = Object.freeze({ warmStart, warningThreshold, driftThreshold });
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
    this.#p += (1 / this.#n) * (x - this.#p);
    const p = this.#p;
    const n = this.#n;
    const s = Math.sqrt((p * (1 - p)) / n);
    if (n <= this.settings.warmStart) return;
    if (p + s <= this.#psMin) {
      this.#pMin = p;
      this.#sMin = s;
      this.#psMin = p + s;
    }
    // Both are set by now: the first update past the warm start always sets them.
    const pMin = this.#pMin as number;
    const sMin = this.#sMin as number;
    this.#warning = p + s > pMin + this.settings.warningThreshold * sMin;
    if (p + s > pMin + this.settings.driftThreshold * sMin) {
      this.#drift = true;
      this.#warning = false;
    }
  }

  reset(): void {
    this.#n = 0;
    this.#p = 0;
    this.#pMin = null;
    this.#sMin = null;
    this.#psMin = Infinity;
    this.#drift = false;
    this.#warning = false;
  }

  /** n, the error rate p and its standard deviation s, and p_min / s_min (NaN until set). */
  stats(): Record<string, number> {
    const p = this.#p;
    return {
      n: this.#n,
      errorRate: p,
      std: this.#n === 0 ? 0 : Math.sqrt((p * (1 - p)) / this.#n),
      pMin: this.#pMin ?? NaN,
      sMin: this.#sMin ?? NaN,
    };
  }

  snapshot(): DdmSnapshot {
    return {
      n: this.#n,
      p: this.#p,
      pMin: this.#pMin,
      sMin: this.#sMin,
      driftDetected: this.#drift,
      warningDetected: this.#warning,
    };
  }

  restore(snapshot: DdmSnapshot): void {
    const read = new SnapshotReader('Ddm', snapshot);
    const state = {
      n: read.count('n'),
      p: read.number('p'),
      pMin: read.numberOrNull('pMin'),
      sMin: read.numberOrNull('sMin'),
      drift: read.boolean('driftDetected'),
      warning: read.boolean('warningDetected'),
    };
    read.check((state.pMin === null) === (state.sMin === null), '"pMin" and "sMin" are both null or both numbers');
    this.#n = state.n;
    this.#p = state.p;
    this.#pMin = state.pMin;
    this.#sMin = state.sMin;
    this.#psMin = state.pMin === null || state.sMin === null ? Infinity : state.pMin + state.sMin;
    this.#drift = state.drift;
    this.#warning = state.warning;
  }
}
