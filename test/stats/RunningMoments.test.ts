import { describe, it, expect } from 'vitest';
import { RunningMoments } from '../../src/stats/RunningMoments.js';
import { CheckpointError, ConfigError } from '../../src/errors.js';
import { mulberry32 as rng } from '../../src/stats/prng.js';

function rows(n: number, dim: number, seed: number, f: (r: number, i: number) => number): number[][] {
  const r = rng(seed);
  return Array.from({ length: n }, () => Array.from({ length: dim }, (_, i) => f(r(), i)));
}

/** Two-pass weighted mean and population variance of column `i`. */
function weightedTwoPass(data: number[][], weights: number[], i: number): { mean: number; variance: number } {
  const w = weights.reduce((a, b) => a + b, 0);
  const mean = data.reduce((s, row, k) => s + weights[k]! * row[i]!, 0) / w;
  const variance = data.reduce((s, row, k) => s + weights[k]! * (row[i]! - mean) ** 2, 0) / w;
  return { mean, variance };
}

const twoPass = (data: number[][], i: number) => weightedTwoPass(data, data.map(() => 1), i);

function fed(data: number[][], settings: { dim: number; halfLife?: number }): RunningMoments {
  const m = new RunningMoments(settings);
  for (const row of data) m.update(row);
  return m;
}

describe('RunningMoments', () => {
  const dim = 3;
  const data = rows(500, dim, 1, (u, i) => (u - 0.5) * (i + 1) * 10 + i * 3);

  it('starts empty: count 0, mean 0, variance 0', () => {
    const m = new RunningMoments({ dim });
    expect(m.count).toBe(0);
    expect(m.mean(0)).toBe(0);
    expect(m.variance(2)).toBe(0);
    expect(m.std(1)).toBe(0);
  });

  it('matches a two-pass mean and population variance', () => {
    const m = fed(data, { dim });
    expect(m.count).toBe(data.length);
    for (let i = 0; i < dim; i++) {
      const ref = twoPass(data, i);
      expect(m.mean(i)).toBeCloseTo(ref.mean, 12);
      expect(m.variance(i)).toBeCloseTo(ref.variance, 10);
      expect(m.std(i)).toBeCloseTo(Math.sqrt(ref.variance), 10);
    }
  });

  it('with halfLife matches a weighted two-pass with weights alpha^(n-1-k)', () => {
    const halfLife = 40;
    const alpha = 2 ** (-1 / halfLife);
    const m = fed(data, { dim, halfLife });
    const weights = data.map((_, k) => alpha ** (data.length - 1 - k));
    expect(m.count).toBeCloseTo(weights.reduce((a, b) => a + b, 0), 10);
    for (let i = 0; i < dim; i++) {
      const ref = weightedTwoPass(data, weights, i);
      expect(m.mean(i)).toBeCloseTo(ref.mean, 10);
      expect(m.variance(i)).toBeCloseTo(ref.variance, 10);
    }
  });

  it('with halfLife weighs a record half after halfLife newer records', () => {
    const m = new RunningMoments({ dim: 1, halfLife: 10 });
    m.update([100]);
    for (let k = 0; k < 10; k++) m.update([0]);
    // weight of the first record is 1/2; the other ten weigh sum_{j<10} alpha^j
    const alpha = 2 ** (-1 / 10);
    const rest = (1 - alpha ** 10) / (1 - alpha);
    expect(m.mean(0)).toBeCloseTo((0.5 * 100) / (0.5 + rest), 12);
  });

  it('forgets: the mean tracks a level shift', () => {
    const m = new RunningMoments({ dim: 1, halfLife: 20 });
    for (let k = 0; k < 1000; k++) m.update([0]);
    for (let k = 0; k < 400; k++) m.update([5]);
    expect(m.mean(0)).toBeCloseTo(5, 4);
    const plain = new RunningMoments({ dim: 1 });
    for (let k = 0; k < 1000; k++) plain.update([0]);
    for (let k = 0; k < 400; k++) plain.update([5]);
    expect(plain.mean(0)).toBeCloseTo((400 * 5) / 1400, 12);
  });

  it('merge of two halves equals the moments of the whole', () => {
    const a = fed(data.slice(0, 173), { dim });
    const b = fed(data.slice(173), { dim });
    a.merge(b);
    const whole = fed(data, { dim });
    expect(a.count).toBe(whole.count);
    for (let i = 0; i < dim; i++) {
      const ref = twoPass(data, i);
      expect(a.mean(i)).toBeCloseTo(ref.mean, 12);
      expect(a.variance(i)).toBeCloseTo(ref.variance, 10);
    }
  });

  it('merge with an empty side is the identity, either way round', () => {
    const full = fed(data, { dim });
    const left = new RunningMoments({ dim });
    left.merge(full);
    const right = fed(data, { dim });
    right.merge(new RunningMoments({ dim }));
    for (const m of [left, right]) {
      expect(m.count).toBe(full.count);
      for (let i = 0; i < dim; i++) {
        expect(m.mean(i)).toBe(full.mean(i));
        expect(m.variance(i)).toBe(full.variance(i));
      }
    }
  });

  it('merge of forgetting moments combines weights the Chan way', () => {
    const halfLife = 25;
    const alpha = 2 ** (-1 / halfLife);
    const first = data.slice(0, 200);
    const second = data.slice(200);
    const a = fed(first, { dim, halfLife });
    const b = fed(second, { dim, halfLife });
    a.merge(b);
    // each side decays within itself only; the union uses each side's own weights
    const weights = [
      ...first.map((_, k) => alpha ** (first.length - 1 - k)),
      ...second.map((_, k) => alpha ** (second.length - 1 - k)),
    ];
    for (let i = 0; i < dim; i++) {
      const ref = weightedTwoPass(data, weights, i);
      expect(a.mean(i)).toBeCloseTo(ref.mean, 10);
      expect(a.variance(i)).toBeCloseTo(ref.variance, 10);
    }
  });

  it('stays accurate at large offsets (1e9 + small noise)', () => {
    const noisy = rows(10_000, 2, 7, (u, i) => 1e9 + (i + 1) * (u - 0.5));
    const m = fed(noisy, { dim: 2 });
    for (let i = 0; i < 2; i++) {
      // two-pass on the offset-removed data is exact enough to be the reference
      const shifted = noisy.map((row) => row.map((v) => v - 1e9));
      const ref = twoPass(shifted, i);
      // the mean lives at 1e9, where one ulp is 1.2e-7: an absolute error of 1e-5 is 1e-14 relative
      expect(Math.abs(m.mean(i) - 1e9 - ref.mean)).toBeLessThan(1e-5);
      expect(m.variance(i)).toBeGreaterThan(0);
      expect(Math.abs(m.variance(i) - ref.variance) / ref.variance).toBeLessThan(1e-6);
      // uniform noise of width (i+1): variance (i+1)^2 / 12, up to sampling error (~1% at n = 1e4)
      expect(m.variance(i) / ((i + 1) ** 2 / 12)).toBeCloseTo(1, 1);
    }
  });

  it('snapshot/restore round-trips through JSON and continues identically', () => {
    for (const halfLife of [undefined, 30]) {
      const original = fed(data.slice(0, 250), { dim, halfLife });
      const copy = new RunningMoments({ dim, halfLife });
      copy.restore(JSON.parse(JSON.stringify(original.snapshot())));
      expect(copy.snapshot()).toEqual(original.snapshot());
      for (const row of data.slice(250)) {
        original.update(row);
        copy.update(row);
      }
      expect(copy.snapshot()).toEqual(original.snapshot());
      expect(copy.count).toBe(original.count);
    }
  });

  it('snapshot holds only learned state', () => {
    const snap = fed(data.slice(0, 3), { dim, halfLife: 5 }).snapshot();
    expect(Object.keys(snap).sort()).toEqual(['count', 'm2', 'mean']);
  });

  it('rejects corrupt snapshots with a CheckpointError and keeps its state', () => {
    const m = fed(data.slice(0, 10), { dim });
    const before = m.snapshot();
    expect(() => m.restore({ count: 1, mean: [0, 0], m2: [0, 0] })).toThrow(CheckpointError);
    expect(() => m.restore({ count: -1, mean: [0, 0, 0], m2: [0, 0, 0] })).toThrow(CheckpointError);
    expect(() => m.restore({ count: 1, mean: [0, NaN, 0], m2: [0, 0, 0] })).toThrow(CheckpointError);
    expect(() => m.restore(null as never)).toThrow(CheckpointError);
    expect(m.snapshot()).toEqual(before);
  });

  it('rejects bad settings, wrong widths and out-of-range indices', () => {
    expect(() => new RunningMoments({ dim: 0 })).toThrow(ConfigError);
    expect(() => new RunningMoments({ dim: 2.5 })).toThrow(ConfigError);
    expect(() => new RunningMoments({ dim: 2, halfLife: 0 })).toThrow(ConfigError);
    expect(() => new RunningMoments({ dim: 2, halfLife: NaN })).toThrow(ConfigError);
    const m = new RunningMoments({ dim: 2 });
    expect(() => m.update([1, 2, 3])).toThrow(RangeError);
    expect(() => m.merge(new RunningMoments({ dim: 3 }))).toThrow(RangeError);
    expect(() => m.mean(2)).toThrow(RangeError);
    expect(() => m.variance(-1)).toThrow(RangeError);
  });

  it('accepts Float32Array input', () => {
    const m = new RunningMoments({ dim: 2 });
    m.update(Float32Array.of(1, 2));
    m.update(Float32Array.of(3, 2));
    expect(m.mean(0)).toBe(2);
    expect(m.variance(0)).toBe(1);
    expect(m.variance(1)).toBe(0);
  });
});

describe('RunningMoments.forgetWith', () => {
  it('switches to the given half-life from the next update, and back to the configured one', () => {
    const fast = new RunningMoments({ dim: 1 });
    for (const x of [1, 2, 3]) {
      fast.update([x]);
    }
    fast.forgetWith(5);
    // Weighted reference: the first three records weigh 1 until the switch, then decay like the rest.
    const weights: number[] = [];
    const xs = [1, 2, 3, 10, 11, 12];
    const alpha = 2 ** (-1 / 5);
    for (let i = 0; i < xs.length; i++) weights.push(i < 3 ? alpha ** 3 : alpha ** (xs.length - 1 - i));
    for (const x of xs.slice(3)) fast.update([x]);
    const w = weights.reduce((a, b) => a + b, 0);
    const mean = xs.reduce((a, x, i) => a + weights[i]! * x, 0) / w;
    expect(fast.mean(0)).toBeCloseTo(mean, 10);
    expect(fast.count).toBeCloseTo(w, 10);
    fast.forgetWith(undefined);
    const before = fast.count;
    fast.update([0]);
    expect(fast.count).toBeCloseTo(before + 1, 10); // no forgetting again
  });
});
