import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { DriftDetection } from '../drift/DriftMonitor.js';
import type { Evaluation } from '../eval/Evaluator.js';
import type { RecordCounts } from '../records/RecordCounts.js';

/** What {@link MetricsLog.observe} reads from a batch report (the pipeline's `BatchReport`). */
export interface ObservedBatch {
  readonly drift: DriftDetection | null;
  readonly counts: Pick<RecordCounts, 'total' | 'rejectedByReason'>;
  readonly evaluation: Pick<Evaluation, 'baselines'>;
}

/** Settings of {@link MetricsLog}. */
export interface MetricsLogOptions {
  /** Delete the file on close (a log kept only for the end-of-run report). */
  readonly temporary?: boolean;
}

/**
 * Appends one JSON object per line to a file (`--metrics-log`), synchronously. Lines without a
 * `type` are the periodic metrics lines; `{ type: 'tuning' }` and `{ type: 'drift' }` lines are
 * events. When it {@link MetricsLog.observe}s each batch report, it adds to every periodic line
 * `seconds` (since the log was opened, for throughput), the windowed `baselines` and
 * `rejectedByReason`, and writes a `{ type: 'drift', time, records, detector, signal, index }` line
 * per detection. Other fields (a population's `members`, `champion`) pass through as written.
 *
 * @example
 * const log = new MetricsLog('metrics.jsonl');
 * log.observe(report); log.write({ records: 1000, window: {...} }); log.close();
 */
export class MetricsLog {
  private readonly fd: number;
  readonly #opened = performance.now();
  #last: ObservedBatch | undefined;

  constructor(
    readonly path: string,
    private readonly options: MetricsLogOptions = {},
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'a');
  }

  /**
   * The log a run writes: `metricsLog` when set; else, when only a `report` is asked for, a
   * temporary file deleted on close; else none.
   */
  static forRun(config: { readonly metricsLog?: string | undefined; readonly report?: string | undefined }): MetricsLog | undefined {
    if (config.metricsLog) return new MetricsLog(config.metricsLog);
    if (!config.report) return undefined;
    return new MetricsLog(join(tmpdir(), `streamtune-metrics-${process.pid}-${Date.now()}.jsonl`), { temporary: true });
  }

  /** Takes in a batch report (before it is logged): writes its drift detection, keeps it for the next periodic line. */
  observe(report: ObservedBatch): void {
    this.#last = report;
    if (report.drift) this.write({ type: 'drift', time: new Date().toISOString(), records: report.counts.total, ...report.drift });
  }

  write(entry: object): void {
    const line = 'type' in entry ? entry : { ...entry, ...this.#extras() };
    writeSync(this.fd, JSON.stringify(line) + '\n');
  }

  close(): void {
    closeSync(this.fd);
    if (this.options.temporary) rmSync(this.path, { force: true });
  }

  #extras(): object {
    const seconds = Math.round(performance.now() - this.#opened) / 1000;
    const last = this.#last;
    if (!last) return { seconds };
    return { seconds, baselines: windowBaselines(last.evaluation.baselines), rejectedByReason: { ...last.counts.rejectedByReason } };
  }
}

/** The baselines' windowed scores, in the shape of the evaluation (`{ majority: { window: { accuracy } } }`). */
function windowBaselines(baselines: Evaluation['baselines']): Record<string, { window: object }> {
  const out: Record<string, { window: object }> = {};
  for (const [name, b] of Object.entries(baselines)) if (b) out[name] = { window: b.window };
  return out;
}
