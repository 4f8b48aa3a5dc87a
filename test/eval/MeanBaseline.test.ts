import { describe, expect, it } from 'vitest';
import { CheckpointError } from '../../src/errors.js';
import { MeanBaseline } from '../../src/eval/MeanBaseline.js';

describe('MeanBaseline', () => {
  it('predicts the mean of the targets seen before, 0 first', () => {
    const ys = [4, -2, 10, 3.5, 0, 7];
    const b = new MeanBaseline();
    ys.forEach((y, i) => {
      const seen = ys.slice(0, i);
      const expected = seen.length === 0 ? 0 : seen.reduce((a, c) => a + c, 0) / seen.length;
      const [p] = b.predict();
      expect(p).toBeCloseTo(expected, 12);
      b.learn(y);
    });
  });

  it('snapshot -> JSON -> restore continues identically', () => {
    const a = new MeanBaseline();
    for (const y of [1, 2, 6]) a.learn(y);
    const b = new MeanBaseline();
    b.restore(JSON.parse(JSON.stringify(a.snapshot())));
    for (const y of [5, -3, 8]) {
      expect(b.predict()).toEqual(a.predict());
      a.learn(y);
      b.learn(y);
    }
    expect(b.predict()[0]).toBeCloseTo((1 + 2 + 6 + 5 - 3 + 8) / 6, 12);
    expect(() => b.restore({ mean: 1, count: -1 })).toThrow(CheckpointError);
  });
});
