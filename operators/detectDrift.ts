import { defer, map, type Observable, type OperatorFunction } from 'rxjs';
import { DriftMonitor, type DriftDetection, type DriftMonitorSettings } from '../src/drift/DriftMonitor.js';
import type { ScoredBatch } from '../src/types.js';

/**
 * Feeds each scored batch's per-record signal to the drift detectors and tags the batch with the
 * first detection (or null).
 *
 * @example
 * reports$.pipe(detectDrift({ task: 'binary', signal: 'prequential_error', detectors: [{ type: 'adwin' }] }))
 * // --{batch, drift: null}--{batch, drift: {detector: 'adwin', signal: 'prequential_error', index: 12533}}--
 *
 * The monitor is created per subscription unless `state` is given (shared with the caller, which
 * checkpoints it).
 */
export function detectDrift<T extends { readonly batch: ScoredBatch }>(
  settings: DriftMonitorSettings,
  state?: DriftMonitor,
): OperatorFunction<T, T & { readonly drift: DriftDetection | null }> {
  return (source: Observable<T>) =>
    defer(() => {
      const monitor = state ?? new DriftMonitor(settings);
      return source.pipe(map((report) => ({ ...report, drift: monitor.update(report.batch) })));
    });
}
