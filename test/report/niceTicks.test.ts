import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatTick } from '../../src/report/formatTick.js';
import { niceTicks } from '../../src/report/niceTicks.js';

describe('niceTicks', () => {
  it('covers the range with a few round, evenly spaced ticks', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e7, max: 1e7, noNaN: true }), fc.double({ min: 1e-6, max: 1e7, noNaN: true }), (lo, width) => {
        const hi = lo + width;
        const t = niceTicks(lo, hi, 5);
        expect(t.lo).toBeLessThanOrEqual(lo + t.step * 1e-6);
        expect(t.hi).toBeGreaterThanOrEqual(hi - t.step * 1e-6);
        expect(t.ticks.length).toBeGreaterThanOrEqual(2);
        expect(t.ticks.length).toBeLessThanOrEqual(12);
        const mantissa = t.step / 10 ** Math.floor(Math.log10(t.step) + 1e-9);
        expect([1, 2, 2.5, 5, 10].some((m) => Math.abs(m - mantissa) < 1e-6)).toBe(true);
        for (let i = 1; i < t.ticks.length; i++) expect((t.ticks[i] as number) - (t.ticks[i - 1] as number)).toBeCloseTo(t.step, 6);
      }),
    );
  });

  it('widens a flat range around its value', () => {
    const t = niceTicks(0.001, 0.001);
    expect(t.lo).toBeLessThan(0.001);
    expect(t.hi).toBeGreaterThan(0.001);
  });
});

describe('formatTick', () => {
  it('writes record counts in k and M, decimals by the step, tiny values as exponents', () => {
    expect(formatTick(20_000, 10_000)).toBe('20k');
    expect(formatTick(2_500_000, 500_000)).toBe('2.5M');
    expect(formatTick(0.0015, 0.0005)).toBe('0.0015');
    expect(formatTick(0.4, 0.1)).toBe('0.4');
    expect(formatTick(2e-5, 1e-5)).toBe('2e-5');
    expect(formatTick(0)).toBe('0');
  });
});
