import { readFileSync } from 'node:fs';
import { parseMetricsLog } from './parseMetricsLog.js';
import { writeReport } from './writeReport.js';

/**
 * `train --report PATH` at the end of a run: the report of the run's metrics log and summary. A
 * report that cannot be written is logged as a warning; it never fails the run.
 *
 * @example
 * writeRunReport('report.html', metricsLog.path, summary, log);
 */
export function writeRunReport(
  out: string,
  metricsLogPath: string,
  summary: object,
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void },
): void {
  try {
    const run = parseMetricsLog(readFileSync(metricsLogPath, 'utf8'), metricsLogPath);
    // As in the summary file: non-finite numbers become null.
    const plain = JSON.parse(JSON.stringify(summary, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))) as Record<
      string,
      unknown
    >;
    const title = typeof plain.source === 'string' ? plain.source : run.title;
    const bytes = writeReport({ ...run, summary: plain, title }, out);
    log.info({ event: 'report.written', path: out, bytes }, `report written to ${out}`);
  } catch (error) {
    log.warn({ event: 'report.failed', path: out, err: error }, `the run report could not be written to ${out}: ${(error as Error).message}`);
  }
}
