import type { Evaluation } from '../eval/Evaluator.js';
import type { Logger } from './logger.js';
import type { HyperParams } from '../types.js';

export interface ProgressState {
  readonly records: number;
  readonly rejected: number;
  readonly evaluation: Evaluation;
  readonly hyperParams: HyperParams;
}

export type ProgressMode = 'tty' | 'json' | 'off';

/**
 * Shows progress on long runs: a live status line on a terminal (records/s, records, window
 * metrics, lr, l2, rejects), a structured log line every few seconds otherwise.
 *
 * @example
 * const progress = new Progress('tty', { stream: process.stderr, log });
 * progress.update(state); progress.finish();
 */
export class Progress {
  private last = 0;
  private lastRecords = 0;
  private readonly started: number;
  private shown = false;

  constructor(
    private readonly mode: ProgressMode,
    private readonly io: {
      stream: NodeJS.WritableStream;
      log: Logger;
      now?: () => number;
      intervalMs?: number;
    },
  ) {
    this.started = this.now();
    this.last = this.started;
  }

  update(state: ProgressState, force = false): void {
    if (this.mode === 'off') return;
    const now = this.now();
    const interval = this.io.intervalMs ?? (this.mode === 'tty' ? 250 : 5000);
    if (!force && now - this.last < interval) return;
    const rate = ((state.records - this.lastRecords) * 1000) / Math.max(1, now - this.last);
    this.last = now;
    this.lastRecords = state.records;
    if (this.mode === 'tty') {
      this.io.stream.write(`\r\x1b[K${statusLine(state, rate)}`);
      this.shown = true;
    } else {
      const w = state.evaluation.window;
      this.io.log.info(
        {
          event: 'progress',
          records: state.records,
          recordsPerSecond: Math.round(rate),
          rejected: state.rejected,
          window: { train: w.train, holdout: w.holdout },
          learningRate: state.hyperParams.learningRate,
          l2: state.hyperParams.l2,
        },
        'progress',
      );
    }
  }

  /** Ends the status line so the next output starts on a fresh line. */
  finish(): void {
    if (this.mode === 'tty' && this.shown) this.io.stream.write('\n');
    this.shown = false;
  }

  private now(): number {
    return this.io.now ? this.io.now() : performance.now();
  }
}

function statusLine(s: ProgressState, rate: number): string {
  const w = s.evaluation.window;
  const parts = [
    `${s.records.toLocaleString('en-US')} records`,
    `${Math.round(rate).toLocaleString('en-US')} rec/s`,
  ];
  if (w.train.accuracy !== undefined) parts.push(`acc ${fmt(w.train.accuracy)}/${fmt(w.holdout.accuracy)}`);
  if (w.train.crossEntropy !== undefined) parts.push(`xent ${fmt(w.train.crossEntropy)}/${fmt(w.holdout.crossEntropy)}`);
  else parts.push(`mse ${fmt(w.train.mse)}/${fmt(w.holdout.mse)}`);
  parts.push(`lr ${s.hyperParams.learningRate.toExponential(1)}`, `l2 ${s.hyperParams.l2.toExponential(1)}`);
  parts.push(`rejects ${s.rejected}`);
  return parts.join('  ');
}

function fmt(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '-';
  return Math.abs(x) >= 1000 ? x.toFixed(0) : x.toFixed(3);
}
