import { z } from 'zod';
import { DriftAndWarningDetectorBase } from './DriftAndWarningDetectorBase.js';
import type { StepResult } from './DriftDetectorBase.js';
import { setting } from './setting.js';
import type { SnapshotReader } from './SnapshotReader.js';

const settingsSchema = z.strictObject({
  /** Updates needed before a warning or a drift can be signalled (River: 30). */
  warmStart: setting.intAtLeast(0).default(30),
  /** Standard deviations above the best p + s that start the warning zone (River: 2). */
  warningThreshold: setting.finite().default(2),
  /** Standard deviations above the best p + s that signal a drift (River: 3). */
  driftThreshold: setting.finite().default(3),
});

/** Settings of {@link Ddm}: River's parameters and defaults. */
export type DdmSettings = z.input<typeof settingsSchema>;

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

interface State {
  n: number;
  p: number;
  pMin: number | null;
  sMin: number | null;
  /** pMin + sMin, Infinity until set. */
  psMin: number;
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
export class Ddm extends DriftAndWarningDetectorBase<typeof settingsSchema, State, DdmSnapshot> {
  override readonly binary = true;

  constructor(settings: DdmSettings = {}) {
    super('ddm', settingsSchema, settings);
  }

  protected initial(): State {
    return { n: 0, p: 0, pMin: null, sMin: null, psMin: Infinity };
  }

  /** Learns one outcome: 1 for an error, 0 for a correct prediction. */
  protected step(x: number): StepResult {
    const s = this.state;
    s.n += 1;
    s.p += (1 / s.n) * (x - s.p);
    const { p, n } = s;
    const sd = Math.sqrt((p * (1 - p)) / n);
    if (n <= this.settings.warmStart) return false;
    if (p + sd <= s.psMin) {
      s.pMin = p;
      s.sMin = sd;
      s.psMin = p + sd;
    }
    // Both are set by now: the first update past the warm start always sets them.
    const pMin = s.pMin as number;
    const sMin = s.sMin as number;
    const drift = p + sd > pMin + this.settings.driftThreshold * sMin;
    const warning = p + sd > pMin + this.settings.warningThreshold * sMin;
    return { drift, warning: warning && !drift };
  }

  /** n, the error rate p and its standard deviation s, and p_min / s_min (NaN until set). */
  stats(): Record<string, number> {
    const { n, p, pMin, sMin } = this.state;
    return {
      n,
      errorRate: p,
      std: n === 0 ? 0 : Math.sqrt((p * (1 - p)) / n),
      pMin: pMin ?? NaN,
      sMin: sMin ?? NaN,
    };
  }

  protected save(): Omit<DdmSnapshot, 'driftDetected' | 'warningDetected'> {
    const { n, p, pMin, sMin } = this.state;
    return { n, p, pMin, sMin };
  }

  protected load(read: SnapshotReader): State {
    const pMin = read.numberOrNull('pMin');
    const sMin = read.numberOrNull('sMin');
    read.check((pMin === null) === (sMin === null), '"pMin" and "sMin" are both null or both numbers');
    const psMin = pMin === null || sMin === null ? Infinity : pMin + sMin;
    return { n: read.count('n'), p: read.number('p'), pMin, sMin, psMin };
  }
}
