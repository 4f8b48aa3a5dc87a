import { describe, expect, it } from 'vitest';
import { LogLoss } from '../../src/eval/LogLoss.js';

const EPS = 1e-7; // the Keras epsilon
const clip = (q: number) => Math.min(Math.max(q, EPS), 1 - EPS);
const binary = (y: number, p: number) => -(y * Math.log(clip(p)) + (1 - y) * Math.log(1 - clip(p)));

describe('LogLoss', () => {
  it('is NaN when empty', () => {
    expect(new LogLoss().get()).toBeNaN();
  });

  it('binary: -(y log p + (1 - y) log(1 - p)) averaged', () => {
    const pairs: [number, number][] = [
      [1, 0.9],
      [0, 0.3],
      [1, 0.5],
      [0, 0.01],
      [1, 0.2],
    ];
    const m = new LogLoss();
    for (const [y, p] of pairs) m.update(y, [p]);
    const expected = pairs.reduce((s, [y, p]) => s + binary(y, p), 0) / pairs.length;
    expect(m.get()).toBeCloseTo(expected, 12);
    // Spot check one term by hand: log 2 for p = 0.5.
    const half = new LogLoss();
    half.update(1, [0.5]);
    expect(half.get()).toBeCloseTo(Math.LN2, 14);
  });

  it.each([
    { y: 1, p: 0, expected: -Math.log(EPS) },
    { y: 0, p: 1, expected: -Math.log(EPS) },
    { y: 1, p: 1, expected: -Math.log(1 - EPS) },
    { y: 0, p: 0, expected: -Math.log(1 - EPS) },
  ])('binary clips y=$y p=$p to [eps, 1 - eps]', ({ y, p, expected }) => {
    const m = new LogLoss();
    m.update(y, [p]);
    expect(Number.isFinite(m.get())).toBe(true);
    expect(m.get()).toBeCloseTo(expected, 6); // 1 - (1 - eps) is eps only to ~1e-10
  });

  it('multiclass: -log p_y averaged', () => {
    const rows: [number, number[]][] = [
      [0, [0.7, 0.2, 0.1]],
      [2, [0.25, 0.25, 0.5]],
      [1, [0.6, 0.3, 0.1]],
    ];
    const m = new LogLoss();
    for (const [y, p] of rows) m.update(y, p);
    const expected = rows.reduce((s, [y, p]) => s - Math.log(p[y] as number), 0) / rows.length;
    expect(m.get()).toBeCloseTo(expected, 12);
  });

  it('multiclass clips p_y = 0 and p_y = 1', () => {
    const zero = new LogLoss();
    zero.update(1, [1, 0, 0]);
    expect(zero.get()).toBeCloseTo(-Math.log(EPS), 9);
    const one = new LogLoss();
    one.update(0, [1, 0, 0]);
    expect(one.get()).toBeCloseTo(-Math.log(1 - EPS), 12);
  });

  it('revert restores the previous value', () => {
    const m = new LogLoss();
    m.update(1, [0.8]);
    const before = m.get();
    m.update(0, [0]);
    m.revert(0, [0]);
    expect(m.get()).toBeCloseTo(before, 15);
    m.revert(1, [0.8]);
    expect(m.get()).toBeNaN();
    expect(m.count).toBe(0);
  });
});
