import { describe, expect, it } from 'vitest';
import { Accuracy } from '../../src/eval/Accuracy.js';

describe('Accuracy', () => {
  it('is NaN when empty', () => {
    expect(new Accuracy().get()).toBeNaN();
  });

  it('binary: predicts 1 iff p >= 0.5', () => {
    const pairs: [number, number][] = [
      [1, 0.5], // threshold counts as 1: correct
      [0, 0.5], // wrong
      [0, 0.49], // correct
      [1, 0.49], // wrong
      [1, 0.99], // correct
    ];
    const m = new Accuracy();
    for (const [y, p] of pairs) m.update(y, [p]);
    const correct = pairs.filter(([y, p]) => (p >= 0.5 ? 1 : 0) === y).length;
    expect(correct).toBe(3);
    expect(m.get()).toBeCloseTo(correct / pairs.length, 15);
  });

  it('multiclass: argmax(p) === y, ties to the first index', () => {
    const rows: [number, number[]][] = [
      [2, [0.1, 0.2, 0.7]], // correct
      [0, [0.4, 0.4, 0.2]], // tie between 0 and 1 -> 0: correct
      [1, [0.4, 0.4, 0.2]], // tie -> 0: wrong
      [1, [0.5, 0.3, 0.2]], // wrong
    ];
    const m = new Accuracy();
    for (const [y, p] of rows) m.update(y, p);
    expect(m.get()).toBeCloseTo(2 / 4, 15);
  });

  it('revert restores the previous value', () => {
    const m = new Accuracy();
    m.update(1, [0.9]);
    m.update(1, [0.1]);
    expect(m.get()).toBe(0.5);
    m.update(0, [0.1]);
    m.revert(0, [0.1]);
    expect(m.get()).toBe(0.5);
    expect(m.count).toBe(2);
  });
});
