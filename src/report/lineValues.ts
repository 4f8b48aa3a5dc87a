import type { MetricsLine } from './RunData.js';

/**
 * The value at a dotted path of each line, as (records, number) points: null where it is missing
 * or not a finite number, so a chart breaks its line there.
 *
 * @example
 * lineValues(lines, 'window.holdout.accuracy'); // [[1000, 0.71], [2000, null], [3000, 0.74]]
 */
export function lineValues(lines: readonly MetricsLine[], path: string): Array<[number, number | null]> {
  const keys = path.split('.');
  return lines.map((line) => {
    let node: unknown = line;
    for (const key of keys) node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
    return [line.records, typeof node === 'number' && Number.isFinite(node) ? node : null];
  });
}
