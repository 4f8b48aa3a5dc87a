import { ConfigError } from '../errors.js';
import type { ScoredBatch, Split, Task } from '../types.js';
import { createDetector, type DetectorSpec } from './createDetector.js';
import type { DriftDetector } from './DriftDetector.js';

/** Which per-record value the detectors watch. */
export type DriftSignal = 'prequential_error' | 'prequential_loss' | 'holdout_error' | 'holdout_loss';
export const DRIFT_SIGNALS: readonly DriftSignal[] = ['prequential_error', 'prequential_loss', 'holdout_error', 'holdout_loss'];

export interface DriftMonitorSettings {
  readonly task: Task;
  readonly signal: DriftSignal;
  readonly detectors: readonly DetectorSpec[];
}

/** A detection: which detector fired, on which signal, at which record. */
export interface DriftDetection {
  readonly detector: string;
  readonly signal: DriftSignal;
  /** Source index of the record whose value set it off. */
  readonly index: number;
}

const EPS = 1e-7;

/**
 * Feeds drift detectors with a per-record signal taken from scored batches: the 0/1 error or the
 * loss (cross-entropy for classification, squared error for regression) of the train split's
 * prequential scores or of the holdout's scores, in stream order.
 *
 * @example
 * const monitor = new DriftMonitor({ task: 'binary', signal: 'prequential_error', detectors: [{ type: 'adwin' }] });
 * const drift = monitor.update(batch); // null, or { detector: 'adwin', signal: 'prequential_error', index: 12_533 }
 */
export class DriftMonitor {
  readonly detectors: readonly DriftDetector[];
  readonly #split: Split;
  readonly #value: (y: number, p: Float32Array, at: number, width: number) => number;

  constructor(readonly settings: DriftMonitorSettings) {
    const kind = settings.signal.endsWith('_error') ? 'error' : 'loss';
    if (kind === 'error' && settings.task === 'regression') {
      throw new ConfigError(`drift.signal: "${settings.signal}" needs a classification task; use prequential_loss or holdout_loss for regression`);
    }
    this.detectors = settings.detectors.map(createDetector);
    const binaryOnly = this.detectors.filter((d) => d.binary && kind !== 'error');
    if (binaryOnly.length > 0) {
      throw new ConfigError(`drift.detectors: ${binaryOnly.map((d) => d.name).join(', ')} watch 0/1 errors; set drift.signal to prequential_error or holdout_error`);
    }
    this.#split = settings.signal.startsWith('holdout') ? 'holdout' : 'train';
    this.#value = kind === 'error' ? errorOf(settings.task) : lossOf(settings.task);
  }

  /** Feeds the batch's records of the watched split; returns the first detection, or null. */
  update(batch: ScoredBatch): DriftDetection | null {
    let first: DriftDetection | null = null;
    const { samples, predictions, width } = batch;
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i]!;
      if (s.split !== this.#split) continue;
      const x = this.#value(s.y, predictions, i * width, width);
      for (const d of this.detectors) {
        d.update(x);
        if (d.driftDetected && first === null) first = { detector: d.name, signal: this.settings.signal, index: s.index };
      }
    }
    return first;
  }

  /** Each detector's statistics, keyed by detector name. */
  stats(): Record<string, Record<string, number>> {
    return Object.fromEntries(this.detectors.map((d) => [d.name, d.stats()]));
  }

  snapshot(): unknown[] {
    return this.detectors.map((d) => d.snapshot());
  }

  restore(snapshot: unknown[]): void {
    this.detectors.forEach((d, i) => d.restore(snapshot[i]));
  }
}

function errorOf(task: Task) {
  return (y: number, p: Float32Array, at: number, width: number): number => {
    if (task === 'binary') return ((p[at] as number) >= 0.5 ? 1 : 0) === y ? 0 : 1;
    let best = 0;
    for (let k = 1; k < width; k++) if ((p[at + k] as number) > (p[at + best] as number)) best = k;
    return best === y ? 0 : 1;
  };
}

function lossOf(task: Task) {
  return (y: number, p: Float32Array, at: number): number => {
    if (task === 'regression') return ((p[at] as number) - y) ** 2;
    const q = task === 'binary' ? (y === 1 ? (p[at] as number) : 1 - (p[at] as number)) : (p[at + y] as number);
    return -Math.log(Math.min(1 - EPS, Math.max(EPS, q)));
  };
}
