import { SourceError } from '../errors.js';
import type { MetricsLine, RunData, RunEvent } from './RunData.js';

/**
 * Reads the text of a metrics log (`--metrics-log`: JSON lines) into run data: the periodic lines
 * (no `type`), the drift detections (`type: 'drift'`) and the tuning events (`type: 'tuning'`).
 * Lines that are not JSON objects (a line cut by a crash) are left out with a note. When the file
 * holds several runs that each started from zero records (appended to one file), the last one is
 * shown. Throws a SourceError naming the file when there is no periodic line at all.
 *
 * @example
 * const run = parseMetricsLog(readFileSync('metrics.jsonl', 'utf8'), 'metrics.jsonl');
 * run.lines.length; // 45
 */
export function parseMetricsLog(text: string, name: string): Omit<RunData, 'summary'> {
  let lines: MetricsLine[] = [];
  let drifts: RunEvent[] = [];
  let tuning: RunEvent[] = [];
  const notes: string[] = [];
  let bad = 0;
  let runs = 1;
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    const entry = parse(raw);
    if (!entry) {
      bad++;
      continue;
    }
    const records = typeof entry.records === 'number' ? entry.records : undefined;
    if (entry.type === 'drift' && records !== undefined) drifts.push(driftEvent(entry, records));
    else if (entry.type === 'tuning' && records !== undefined) tuning.push(tuningEvent(entry, records));
    else if (entry.type === undefined && records !== undefined) {
      const previous = lines[lines.length - 1];
      if (previous && records < previous.records) {
        // A new run from zero, appended to the same file: keep only its events and lines.
        runs++;
        drifts = drifts.filter((e) => e.records <= records);
        tuning = tuning.filter((e) => e.records <= records);
        lines = [];
      }
      lines.push({ ...entry, records });
    }
  }
  if (lines.length === 0) {
    throw new SourceError(`${name} holds no metrics lines (JSON objects with "records" and no "type"); pass the file that train --metrics-log wrote, after at least eval.logEvery records`);
  }
  if (bad > 0) notes.push(`${bad} line(s) of ${name} were not JSON objects and were left out`);
  if (runs > 1) notes.push(`${name} holds ${runs} runs that each started from zero records; this report shows the last`);
  return { title: name, lines, drifts, tuning, notes };
}

function parse(raw: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(raw);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function driftEvent(entry: Record<string, unknown>, records: number): RunEvent {
  const where = typeof entry.index === 'number' ? ` at record index ${entry.index}` : '';
  return { records, label: `drift: ${String(entry.detector ?? 'detector')} on ${String(entry.signal ?? 'signal')}${where}`, ...time(entry) };
}

function tuningEvent(entry: Record<string, unknown>, records: number): RunEvent {
  const change = entry.old === null && entry.new === null ? String(entry.action ?? '') : `${show(entry.old)} -> ${show(entry.new)}`;
  return { records, label: `tuning (${String(entry.reason)}): ${String(entry.param)} ${change}`.trim(), ...time(entry) };
}

const show = (v: unknown): string => (typeof v === 'number' ? String(Number(v.toPrecision(4))) : String(v));
const time = (entry: Record<string, unknown>): { time?: string } => (typeof entry.time === 'string' ? { time: entry.time } : {});
