import { readFileSync, statSync } from 'node:fs';
import { SourceError } from '../errors.js';
import { parseMetricsLog } from './parseMetricsLog.js';
import { readCheckpointRun } from './readCheckpointRun.js';
import type { RunData } from './RunData.js';

/**
 * Reads what a report shows: a metrics log file (`--metrics-log`) or a checkpoint directory, plus
 * the run summary (`--summary-json`) when given. Missing or unreadable files are SourceErrors that
 * name the file and what to pass instead.
 *
 * @example
 * const run = await readRun('metrics.jsonl', { summary: 'summary.json' });
 */
export async function readRun(path: string, options: { summary?: string | undefined } = {}): Promise<RunData> {
  const run = isDirectory(path) ? await readCheckpointRun(path) : parseMetricsLog(readText(path, 'metrics log'), path);
  if (!options.summary) return run;
  const summary = readSummary(options.summary);
  return { ...run, summary, title: typeof summary.source === 'string' ? summary.source : run.title };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    throw new SourceError(`report: no file or directory at ${path}; pass a --metrics-log file or a --checkpoint-dir of a run`);
  }
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new SourceError(`report: cannot read the ${what} ${path}: ${(error as Error).message}`, { cause: error });
  }
}

function readSummary(path: string): Record<string, unknown> {
  const text = readText(path, 'summary');
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new SourceError(`report: the summary ${path} is not a JSON object; pass the file train --summary-json wrote`);
}
