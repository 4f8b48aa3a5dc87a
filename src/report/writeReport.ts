import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { renderReport } from './renderReport.js';
import type { RunData } from './RunData.js';

/**
 * Writes the HTML report of a run to `out` (creating its directory) and returns its size in bytes.
 *
 * @example
 * writeReport(await readRun('metrics.jsonl'), 'report.html');
 */
export function writeReport(run: RunData, out: string, generatedAt = new Date()): number {
  const html = renderReport(run, { generatedAt });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, html);
  return Buffer.byteLength(html);
}
