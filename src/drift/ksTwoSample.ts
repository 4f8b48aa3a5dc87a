/** Result of {@link ksTwoSample}. */
export interface KsResult {
  /** The two-sided Kolmogorov-Smirnov statistic D = max |F_a - F_b|. */
  readonly statistic: number;
  /** Exact two-sided p-value P(D_{n,n} >= statistic). */
  readonly pValue: number;
}

/**
 * Two-sided two-sample Kolmogorov-Smirnov test for two samples of the same size n, with the exact
 * p-value: what SciPy's `ks_2samp(a, b, method='auto')` returns for equal sizes up to 10,000 (its
 * `_compute_prob_outside_square`, same arithmetic). Where rounding pushes that sum out of [0, 1]
 * (only when p is about 1) SciPy switches to its asymptotic formula; this clips to [0, 1] instead.
 *
 * @example
 * ksTwoSample([1, 2, 3], [4, 5, 6]); // { statistic: 1, pValue: 0.1 }
 */
export function ksTwoSample(a: readonly number[], b: readonly number[]): KsResult {
  const n = a.length;
  if (n === 0 || b.length !== n) throw new RangeError(`ksTwoSample: needs two non-empty samples of the same size, got ${n} and ${b.length}`);
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  // h = n * D: the largest difference of the two counts at or below any value.
  let h = 0;
  let i = 0;
  let j = 0;
  while (i < n && j < n) {
    const v = Math.min(x[i] as number, y[j] as number);
    while (i < n && x[i] === v) i++;
    while (j < n && y[j] === v) j++;
    h = Math.max(h, Math.abs(i - j));
  }
  return { statistic: h / n, pValue: h === 0 ? 1 : Math.min(1, Math.max(0, probOutsideSquare(n, h))) };
}

/** P(D_{n,n} >= h/n) by SciPy's Horner-like alternating sum. */
function probOutsideSquare(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    p = p1 * (1 - p);
  }
  return 2 * p;
}
