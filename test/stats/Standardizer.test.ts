import { describe, it, expect } from 'vitest';
import { Standardizer } from '../../src/stats/Standardizer.js';
import { CheckpointError, ConfigError } from '../../src/errors.js';

/** Two-pass population mean and std of column `i`. */
function meanStd(data: readonly (readonly number[])[], i: number): { mean: number; std: number } {
  const mean = data.reduce((s, r) => s + r[i]!, 0) / data.length;
  const variance = data.reduce((s, r) => s + (r[i]! - mean) ** 2, 0) / data.length;
  return { mean, std: Math.sqrt(variance) };
}

const data = [
  [1, 10, 7],
  [4, -2, 7],
  [2, 5, 7],
  [8, 0, 7],
  [5, 3, 7],
];

describe('Standardizer', () => {
  it('transforms to z = (x - mean) / std from a two-pass reference', () => {
    const s = new Standardizer({ dim: 3 });
    for (const row of data) s.update(row);
    const x = [3, 4, 9];
    const z = s.transform(x);
    expect(z).toBeInstanceOf(Float32Array);
    expect(z).toHaveLength(3);
    for (const i of [0, 1]) {
      const { mean, std } = meanStd(data, i);
      expect(z[i]).toBeCloseTo((x[i]! - mean) / std, 5);
      expect(s.mean(i)).toBeCloseTo(mean, 12);
      expect(s.std(i)).toBeCloseTo(std, 12);
    }
    expect(s.count).toBe(data.length);
  });

  it('maps zero-variance features to 0, never NaN or Infinity', () => {
    const s = new Standardizer({ dim: 3 });
    for (const row of data) s.update(row);
    const z = s.transform([1, 1, 1e6]);
    expect(z[2]).toBe(0);
    expect(Array.from(z).every(Number.isFinite)).toBe(true);
  });

  it('maps everything to 0 before any update and after a single update', () => {
    const s = new Standardizer({ dim: 2 });
    expect(Array.from(s.transform([5, -5]))).toEqual([0, 0]);
    s.update([5, -5]);
    expect(Array.from(s.transform([6, -7]))).toEqual([0, 0]);
  });

  it('treats std below minStd as zero', () => {
    const s = new Standardizer({ dim: 1, minStd: 0.5 });
    s.update([0]);
    s.update([0.8]); // std 0.4 < 0.5
    expect(s.transform([3])[0]).toBe(0);
    s.update([-2]); // std grows above 0.5
    const { mean, std } = meanStd([[0], [0.8], [-2]], 0);
    expect(std).toBeGreaterThan(0.5);
    expect(s.transform([3])[0]).toBeCloseTo((3 - mean) / std, 5);
  });

  it('clips to ±clip when set, and only then', () => {
    const clipped = new Standardizer({ dim: 1, clip: 2 });
    const free = new Standardizer({ dim: 1 });
    for (const v of [-1, 1]) {
      clipped.update([v]);
      free.update([v]);
    } // mean 0, std 1
    expect(clipped.transform([10])[0]).toBe(2);
    expect(clipped.transform([-10])[0]).toBe(-2);
    expect(clipped.transform([1.5])[0]).toBeCloseTo(1.5, 6);
    expect(free.transform([10])[0]).toBeCloseTo(10, 6);
  });

  it('forgets with halfLife: recent data dominate', () => {
    const s = new Standardizer({ dim: 1, halfLife: 10 });
    for (let k = 0; k < 500; k++) s.update([k % 2 === 0 ? -1 : 1]);
    for (let k = 0; k < 300; k++) s.update([k % 2 === 0 ? 99 : 101]);
    expect(s.mean(0)).toBeCloseTo(100, 1);
    expect(s.std(0)).toBeCloseTo(1, 1);
  });

  describe('target', () => {
    const ys = [3, 7, 8, 2, 10];

    it('tracks the target mean and std when standardizeTarget', () => {
      const s = new Standardizer({ dim: 1, standardizeTarget: true });
      ys.forEach((y, k) => s.update([k], y));
      const { mean, std } = meanStd(
        ys.map((y) => [y]),
        0,
      );
      expect(s.targetShift).toBeCloseTo(mean, 12);
      expect(s.targetScale).toBeCloseTo(std, 12);
    });

    it('is 0/1 without standardizeTarget, whatever y is', () => {
      const s = new Standardizer({ dim: 1 });
      ys.forEach((y, k) => s.update([k], y));
      expect(s.targetShift).toBe(0);
      expect(s.targetScale).toBe(1);
    });

    it('is 0/1 while the target std is below minStd', () => {
      const s = new Standardizer({ dim: 1, standardizeTarget: true });
      expect([s.targetShift, s.targetScale]).toEqual([0, 1]);
      s.update([1], 42);
      s.update([2], 42);
      expect([s.targetShift, s.targetScale]).toEqual([0, 1]);
      s.update([3], 45);
      expect(s.targetShift).toBeCloseTo(43, 12);
      expect(s.targetScale).toBeCloseTo(Math.sqrt(2), 12);
    });

    it('ignores a missing y', () => {
      const s = new Standardizer({ dim: 1, standardizeTarget: true });
      s.update([1], 0);
      s.update([2]);
      s.update([3], 4);
      expect(s.count).toBe(3);
      expect(s.targetShift).toBeCloseTo(2, 12);
      expect(s.targetScale).toBeCloseTo(2, 12);
    });
  });

  it('snapshot/restore round-trips through JSON and continues identically', () => {
    const settings = { dim: 3, halfLife: 4, clip: 3, standardizeTarget: true };
    const a = new Standardizer(settings);
    data.slice(0, 3).forEach((r, k) => a.update(r, k * 2));
    const b = new Standardizer(settings);
    b.restore(JSON.parse(JSON.stringify(a.snapshot())));
    for (const [k, r] of data.slice(3).entries()) {
      a.update(r, k);
      b.update(r, k);
      expect(b.transform([1, 2, 3])).toEqual(a.transform([1, 2, 3]));
    }
    expect(b.snapshot()).toEqual(a.snapshot());
    expect([b.targetShift, b.targetScale]).toEqual([a.targetShift, a.targetScale]);
  });

  it('refuses a snapshot whose target moments do not match the settings', () => {
    const withTarget = new Standardizer({ dim: 1, standardizeTarget: true });
    const without = new Standardizer({ dim: 1 });
    expect(without.snapshot().target).toBeNull();
    expect(() => without.restore(withTarget.snapshot())).toThrow(CheckpointError);
    expect(() => withTarget.restore(without.snapshot())).toThrow(CheckpointError);
    expect(() => new Standardizer({ dim: 2 }).restore(without.snapshot())).toThrow(CheckpointError);
  });

  it('rejects bad settings and wrong widths', () => {
    expect(() => new Standardizer({ dim: 0 })).toThrow(ConfigError);
    expect(() => new Standardizer({ dim: 1, clip: 0 })).toThrow(ConfigError);
    expect(() => new Standardizer({ dim: 1, minStd: -1 })).toThrow(ConfigError);
    expect(() => new Standardizer({ dim: 2 }).transform([1])).toThrow(RangeError);
    expect(() => new Standardizer({ dim: 2 }).update([1])).toThrow(RangeError);
  });
});
