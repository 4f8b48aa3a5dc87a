import { describe, expect, it } from 'vitest';
import { CheckpointError } from '../../src/errors.js';
import { NoChangeBaseline } from '../../src/eval/NoChangeBaseline.js';

describe('NoChangeBaseline', () => {
  it('binary: predicts the previous label, 0 first', () => {
    const labels = [1, 1, 0, 1, 0, 0];
    const b = new NoChangeBaseline({ task: 'binary' });
    labels.forEach((y, i) => {
      expect(b.predict()).toEqual([i === 0 ? 0 : labels[i - 1]]);
      b.learn(y);
    });
  });

  it('multiclass: one-hot of the previous label, class 0 first', () => {
    const labels = [2, 0, 1, 1];
    const b = new NoChangeBaseline({ task: 'multiclass', classes: 3 });
    labels.forEach((y, i) => {
      const prev = i === 0 ? 0 : (labels[i - 1] as number);
      expect(b.predict()).toEqual([0, 1, 2].map((k) => (k === prev ? 1 : 0)));
      b.learn(y);
    });
  });

  it('snapshot -> JSON -> restore continues identically', () => {
    const a = new NoChangeBaseline({ task: 'binary' });
    a.learn(1);
    const b = new NoChangeBaseline({ task: 'binary' });
    b.restore(JSON.parse(JSON.stringify(a.snapshot())));
    expect(b.predict()).toEqual([1]);
    b.learn(0);
    expect(b.predict()).toEqual([0]);
    expect(() => b.restore({ previous: 'x' } as never)).toThrow(CheckpointError);
  });
});
