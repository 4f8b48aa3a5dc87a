import { describe, expect, it } from 'vitest';
import { ksTwoSample } from '../../src/drift/ksTwoSample.js';
import { mulberry32 } from '../../src/stats/prng.js';

/** D by evaluating both empirical CDFs at every observed value. */
function bruteStatistic(a: number[], b: number[]): number {
  const cdf = (xs: number[], v: number) => xs.filter((x) => x <= v).length / xs.length;
  return Math.max(...[...a, ...b].map((v) => Math.abs(cdf(a, v) - cdf(b, v))));
}

/**
 * P(D_{n,n} >= h/n) by counting lattice paths: all C(2n, n) orderings of the two samples are equally
 * likely, and D >= h/n when the walk (+1 for a, -1 for b) reaches +-h.
 */
function pathProbability(n: number, h: number): number {
  // inside[i][j]: paths to (i, j) that stayed strictly within the band |i - j| < h.
  let inside = [1];
  for (let i = 0; i <= n; i++) {
    const row = new Array<number>(n + 1).fill(0);
    for (let j = 0; j <= n; j++) {
      if (i === 0 && j === 0) row[j] = 1;
      else if (Math.abs(i - j) < h) row[j] = (i > 0 ? (inside[j] ?? 0) : 0) + (j > 0 ? (row[j - 1] as number) : 0);
    }
    inside = row;
  }
  let total = 1;
  for (let k = 1; k <= n; k++) total = (total * (n + k)) / k; // C(2n, n)
  return 1 - (inside[n] as number) / total;
}

describe('ksTwoSample', () => {
  it('gives the statistic of the two empirical CDFs, ties included', () => {
    const random = mulberry32(3);
    for (let t = 0; t < 50; t++) {
      const n = 5 + Math.floor(random() * 40);
      const a = Array.from({ length: n }, () => Math.floor(random() * 10));
      const b = Array.from({ length: n }, () => Math.floor(random() * 10) + (t % 3));
      expect(ksTwoSample(a, b).statistic).toBeCloseTo(bruteStatistic(a, b), 12);
    }
  });

  it('gives the exact two-sided p-value (lattice path count)', () => {
    for (const n of [3, 10, 30, 50]) {
      for (let h = 1; h <= n; h++) {
        const a = Array.from({ length: n }, (_, i) => i);
        const b = a.map((x) => x + h - 0.5); // shifted so that D = h/n exactly
        const { statistic, pValue } = ksTwoSample(a, b);
        expect(statistic).toBeCloseTo(h / n, 12);
        expect(pValue).toBeCloseTo(Math.min(1, pathProbability(n, h)), 10);
      }
    }
  });

  it('gives p = 1 for identical samples', () => {
    expect(ksTwoSample([3, 1, 2], [2, 3, 1])).toEqual({ statistic: 0, pValue: 1 });
  });

  it('needs two non-empty samples of one size', () => {
    expect(() => ksTwoSample([1, 2], [1])).toThrow(RangeError);
    expect(() => ksTwoSample([], [])).toThrow(RangeError);
  });
});
