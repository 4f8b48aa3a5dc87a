import { readFileSync } from 'node:fs';
import type { Summary } from '../../src/training/summary.js';

/**
 * Reads the end-of-run summary a CLI run wrote with `--summary-json PATH`.
 *
 * @example
 * const summary = readSummary(join(tmp, 'summary.json'));
 * summary.records.total; // 45312
 */
export function readSummary(path: string): Summary {
  return JSON.parse(readFileSync(path, 'utf8')) as Summary;
}
