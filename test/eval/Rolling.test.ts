import { describe, expect, it } from 'vitest';
import { Accuracy } from '../../src/eval/Accuracy.js';
import { LogLoss } from '../../src/eval/LogLoss.js';
import type { Metric } from '../../src/eval/Metric.js';
import { Mse } from '../../src/eval/Mse.js';
import { Rolling } from '../../src/eval/Rolling.js';
import { mulberry32 as rng } from '../../src/stats/prng.js';

type Pair = [number, number[]];

function pairs(seed: number, n: number, width: number): Pair[] {
  const r = rng(seed);
  return Array.from({ length: n }, (): Pair => {
    if (width === 1) return [r() < 0.5 ? 1 : 0, [r()]];
    const raw = Array.from({ length: width }, () => r());
    const z = raw.reduce((a, b) => a + b, 0);
    return [Math.floor(r() * width), raw.map((v) => v / z)];
  });
}

/** The metric recomputed from scratch on some pairs. */
function recompute(make: () => Metric, items: Pair[]): number {
  const m = make();
  for (const [y, p] of items) m.update(y, p);
  return m.get();
}

describe('Rolling', () => {
  describe.each([
    { name: 'Mse', make: (): Metric => new Mse() },
    { name: 'LogLoss', make: (): Metric => new LogLoss() },
    { name: 'Accuracy', make: (): Metric => new Accuracy() },
  ])('$name', ({ make }) => {
    it.each([
      { n: 1, width: 1 },
      { n: 7, width: 1 },
      { n: 7, width: 4 },
      { n: 50, width: 3 },
    ])('equals the metric recomputed on the last $n pairs at every step (width $width)', ({ n, width }) => {
      const data = pairs(n * 31 + width, 400, width);
      const w = new Rolling(make(), n);
      data.forEach(([y, p], i) => {
        w.update(y, p);
        const last = data.slice(Math.max(0, i + 1 - n), i + 1);
        expect(w.count).toBe(last.length);
        expect(w.get()).toBeCloseTo(recompute(make, last), 10);
      });
    });
  });

  it('copies prediction rows: later writes to the caller buffer do not change the window', () => {
    const data = pairs(5, 100, 3);
    const buffer = new Float32Array(3);
    const w = new Rolling(new Mse(), 10);
    data.forEach(([y, p], i) => {
      buffer.set(p); // the same memory reused for every row
      w.update(y, buffer.subarray(0, 3));
      const last = data.slice(Math.max(0, i - 9), i + 1).map(([yy, pp]): Pair => [yy, Array.from(Float32Array.from(pp))]);
      expect(w.get()).toBeCloseTo(recompute(() => new Mse(), last), 10);
    });
  });

  it('recovers once a NaN prediction has left the window', () => {
    const w = new Rolling(new Mse(), 3);
    w.update(1, [NaN]);
    w.update(1, [0.5]);
    w.update(0, [0.5]);
    expect(w.get()).toBeNaN();
    w.update(0, [0]);
    expect(w.get()).toBeCloseTo((0.25 + 0.25 + 0) / 3, 15);
  });

  it('snapshot -> JSON -> restore continues identically, NaN rows included', () => {
    const data = pairs(9, 120, 1);
    data[40] = [1, [NaN]];
    const a = new Rolling(new LogLoss(), 20);
    for (const [y, p] of data.slice(0, 45)) a.update(y, p);
    const json = JSON.parse(JSON.stringify(a.snapshot()));
    const b = new Rolling(new LogLoss(), 20);
    b.restore(json);
    expect(b.count).toBe(20);
    expect(b.get()).toBeNaN();
    for (const [y, p] of data.slice(45)) {
      a.update(y, p);
      b.update(y, p);
      expect(b.get()).toBe(a.get());
    }
    expect(b.get()).not.toBeNaN();
  });

  it('restore into a smaller window keeps the newest pairs', () => {
    const data = pairs(11, 30, 1);
    const big = new Rolling(new Mse(), 10);
    for (const [y, p] of data) big.update(y, p);
    const small = new Rolling(new Mse(), 4);
    small.restore(JSON.parse(JSON.stringify(big.snapshot())));
    expect(small.count).toBe(4);
    expect(small.get()).toBeCloseTo(recompute(() => new Mse(), data.slice(-4)), 12);
    const more = pairs(12, 10, 1);
    more.forEach(([y, p], i) => {
      small.update(y, p);
      const all = [...data, ...more.slice(0, i + 1)];
      expect(small.get()).toBeCloseTo(recompute(() => new Mse(), all.slice(-4)), 12);
    });
  });

  it('clone is an empty window of the same size; the wrapped metric is never touched', () => {
    const inner = new Accuracy();
    const w = new Rolling(inner, 2);
    w.update(1, [0.9]);
    w.update(1, [0.9]);
    w.update(1, [0.1]);
    expect(inner.count).toBe(0);
    const c = w.clone();
    expect(c.count).toBe(0);
    expect(c.size).toBe(2);
    c.update(0, [0.9]);
    expect(c.get()).toBe(0);
    expect(w.get()).toBe(0.5);
  });

  it('rejects bad sizes, revert, and corrupt snapshots', () => {
    expect(() => new Rolling(new Mse(), 0)).toThrow(RangeError);
    expect(() => new Rolling(new Mse(), 2.5)).toThrow(RangeError);
    expect(() => new Rolling(new Mse(), 3).revert(1, [1])).toThrow(TypeError);
    const w = new Rolling(new Mse(), 3);
    w.update(1, [0.5]);
    const snap = w.snapshot();
    expect(() => new Rolling(new Mse(), 3).restore({ ...snap, ys: [1, 0] })).toThrow(/corrupt|counts/);
    expect(() => new Rolling(new Mse(), 3).restore({ ...snap, ys: [1, 0], ps: [[0.5], [0.5]] })).toThrow(/counts 1/);
  });
});
