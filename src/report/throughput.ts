import type { MetricsLine } from './RunData.js';

/**
 * Records per second over the run, as (records, rate) points: from the lines' `seconds` (since the log
 * was opened) when all have one, else their `time`, over spans of at least a fortieth of the run, so a log
 * line every few milliseconds does not make noise. A clock that
 * goes back (a new process appending to the log) starts a new span.
 *
 * @example
 * throughput(lines); // [[5000, 14200], [10000, 15100], ...]
 */
export function throughput(lines: readonly MetricsLine[]): Array<[number, number]> {
  const bySeconds = lines.every((l) => typeof l.seconds === 'number');
  const clock = lines.map((l) => (bySeconds ? (l.seconds as number) : timeOf(l)));
  const known = clock.filter((t): t is number => t !== undefined);
  if (known.length < 2) return [];
  const minSpan = ((known[known.length - 1] as number) - (known[0] as number)) / 40;
  const out: Array<[number, number]> = [];
  let from = 0;
  for (let i = 1; i < lines.length; i++) {
    const t0 = clock[from];
    const t1 = clock[i];
    if (t0 === undefined || t1 === undefined || t1 < t0) {
      from = i;
      continue;
    }
    if (t1 - t0 < minSpan || t1 === t0) continue;
    const records = (lines[i] as MetricsLine).records - (lines[from] as MetricsLine).records;
    out.push([(lines[i] as MetricsLine).records, records / (t1 - t0)]);
    from = i;
  }
  return out;
}

function timeOf(line: MetricsLine): number | undefined {
  const ms = typeof line.time === 'string' ? Date.parse(line.time) : NaN;
  return Number.isFinite(ms) ? ms / 1000 : undefined;
}
