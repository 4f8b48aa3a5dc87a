import { describe, expect, it } from 'vitest';
import { CheckpointError } from '../../src/errors.js';
import { Accuracy } from '../../src/eval/Accuracy.js';
import { LogLoss } from '../../src/eval/LogLoss.js';
import type { Metric } from '../../src/eval/Metric.js';
import { Mse } from '../../src/eval/Mse.js';
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

/** The shared contract every metric with update/revert satisfies (River style). */
describe.each([
  { name: 'Mse', make: (): Metric => new Mse() },
  { name: 'LogLoss', make: (): Metric => new LogLoss() },
  { name: 'Accuracy', make: (): Metric => new Accuracy() },
])('Metric contract: $name', ({ make }) => {
  describe.each([1, 3])('rows of width %i', (width) => {
    const data = pairs(width * 7 + 1, 60, width);

    it('is NaN and counts 0 when empty', () => {
      const m = make();
      expect(m.get()).toBeNaN();
      expect(m.count).toBe(0);
    });

    it('revert undoes updates in any order, back to the value before them', () => {
      const m = make();
      for (const [y, p] of data.slice(0, 30)) m.update(y, p);
      const before = m.get();
      for (const [y, p] of data.slice(30)) m.update(y, p);
      for (const [y, p] of data.slice(30).reverse()) m.revert(y, p);
      expect(m.count).toBe(30);
      expect(m.get()).toBeCloseTo(before, 12);
      // Reverting everything (out of order) empties it.
      for (const [y, p] of data.slice(0, 30)) m.revert(y, p);
      expect(m.count).toBe(0);
      expect(m.get()).toBeNaN();
    });

    it('revert on an empty metric throws', () => {
      const [y, p] = data[0] as Pair;
      expect(() => make().revert(y, p)).toThrow(RangeError);
    });

    it('snapshot -> JSON -> restore continues identically', () => {
      const a = make();
      for (const [y, p] of data.slice(0, 25)) a.update(y, p);
      const b = make();
      b.restore(JSON.parse(JSON.stringify(a.snapshot())));
      expect(b.count).toBe(a.count);
      for (const [y, p] of data.slice(25)) {
        a.update(y, p);
        b.update(y, p);
        expect(b.get()).toBe(a.get());
      }
    });

    it('clone is empty, independent, and of the same kind', () => {
      const a = make();
      for (const [y, p] of data.slice(0, 10)) a.update(y, p);
      const c = a.clone();
      expect(c.count).toBe(0);
      expect(c.get()).toBeNaN();
      const ref = make();
      for (const [y, p] of data.slice(10, 20)) {
        c.update(y, p);
        ref.update(y, p);
      }
      expect(c.get()).toBe(ref.get());
      expect(a.count).toBe(10);
    });
  });

  it('a NaN prediction makes it NaN while counted; reverting it recovers', () => {
    const m = make();
    m.update(1, [0.8]);
    const before = m.get();
    m.update(1, [NaN]);
    if (!(m instanceof Accuracy)) expect(m.get()).toBeNaN(); // accuracy just calls NaN < 0.5
    m.revert(1, [NaN]);
    expect(m.get()).toBe(before);
  });

  it('restore rejects a corrupt snapshot with a CheckpointError', () => {
    const m = make();
    expect(() => m.restore({ sum: 'x', count: 1, nonFinite: 0 })).toThrow(CheckpointError);
    expect(() => m.restore({ sum: 1, count: 1, nonFinite: 2 })).toThrow(CheckpointError);
    expect(() => m.restore(null)).toThrow(CheckpointError);
  });
});
