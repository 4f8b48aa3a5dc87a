import { describe, expect, it } from 'vitest';
import { Mse } from '../../src/eval/Mse.js';
import { mulberry32 as rng } from '../../src/stats/prng.js';

describe('Mse', () => {
  it('is NaN when empty', () => {
    const m = new Mse();
    expect(m.get()).toBeNaN();
    expect(m.count).toBe(0);
  });

  it('binary: the Brier score, mean of (p - y)^2', () => {
    const r = rng(1);
    const m = new Mse();
    const pairs: [number, number][] = [];
    for (let i = 0; i < 200; i++) {
      const y = r() < 0.4 ? 1 : 0;
      const p = r();
      pairs.push([y, p]);
      m.update(y, [p]);
    }
    const expected = pairs.reduce((s, [y, p]) => s + (y - p) * (y - p), 0) / pairs.length;
    expect(m.get()).toBeCloseTo(expected, 12);
    expect(m.count).toBe(200);
  });

  it('regression: mean squared error of the values', () => {
    const m = new Mse();
    const ys = [3, -1, 10.5, 0];
    const ps = [2.5, 1, 10, -4];
    ys.forEach((y, i) => m.update(y, [ps[i] as number]));
    const expected = (0.5 ** 2 + 2 ** 2 + 0.5 ** 2 + 4 ** 2) / 4;
    expect(m.get()).toBeCloseTo(expected, 12);
  });

  it('multiclass: mean over classes of (p_k - onehot_k)^2, then over records (Keras)', () => {
    const r = rng(2);
    const m = new Mse();
    const K = 4;
    let total = 0;
    const n = 100;
    for (let i = 0; i < n; i++) {
      const raw = Array.from({ length: K }, () => r());
      const z = raw.reduce((a, b) => a + b, 0);
      const p = raw.map((v) => v / z);
      const y = Math.floor(r() * K);
      const onehot = Array.from({ length: K }, (_, k) => (k === y ? 1 : 0));
      let s = 0;
      for (let k = 0; k < K; k++) s += ((p[k] as number) - (onehot[k] as number)) ** 2;
      total += s / K;
      m.update(y, Float32Array.from(p));
    }
    // Float32 rows: compare loosely.
    expect(m.get()).toBeCloseTo(total / n, 6);
  });

  it('revert restores the previous value', () => {
    const m = new Mse();
    m.update(1, [0.2]);
    m.update(0, [0.9]);
    const before = m.get();
    m.update(1, [0.6]);
    expect(m.get()).not.toBe(before);
    m.revert(1, [0.6]);
    expect(m.get()).toBeCloseTo(before, 15);
    expect(m.count).toBe(2);
  });
});
