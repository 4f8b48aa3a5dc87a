/**
 * Median, min and max of repeated measurements (NaN and undefined left out).
 *
 * @example
 * summarize([3, 1, 2]); // { n: 3, median: 2, min: 1, max: 3, values: [3, 1, 2] }
 */
export function summarize(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x));
  if (v.length === 0) return { n: 0, median: null, min: null, max: null, values: [] };
  const s = [...v].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { n: v.length, median, min: s[0], max: s[s.length - 1], values: v };
}

/** The p-th percentile (0..100) of numbers, by nearest rank. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}
