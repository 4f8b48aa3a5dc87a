import { describe, expect, it } from 'vitest';
import { ConfigError, CheckpointError } from '../../src/errors.js';
import { MajorityBaseline } from '../../src/eval/MajorityBaseline.js';

/** Independent reference: the class with the highest count among `seen`, ties to the smallest id. */
function majorityOf(seen: number[], classes: number): number {
  let best = 0;
  for (let k = 0; k < classes; k++) {
    const count = (c: number) => seen.filter((y) => y === c).length;
    if (count(k) > count(best)) best = k;
  }
  return best;
}

describe('MajorityBaseline', () => {
  it('multiclass: predicts the one-hot majority of the labels seen before, ties to the smallest id', () => {
    const labels = [2, 2, 1, 1, 1, 0, 2, 2, 0, 0, 0, 0];
    const b = new MajorityBaseline({ task: 'multiclass', classes: 3 });
    labels.forEach((y, i) => {
      const expected = majorityOf(labels.slice(0, i), 3);
      expect(b.predict()).toEqual([0, 1, 2].map((k) => (k === expected ? 1 : 0)));
      b.learn(y);
    });
    // Spot-check the script: before any label class 0; after [2] class 2; after [2,2,1,1] the tie 1 vs 2 goes to 1.
    expect(majorityOf([], 3)).toBe(0);
    expect(majorityOf([2], 3)).toBe(2);
    expect(majorityOf([2, 2, 1, 1], 3)).toBe(1);
  });

  it('binary: predicts [0] or [1]', () => {
    const b = new MajorityBaseline({ task: 'binary', classes: 2 });
    expect(b.predict()).toEqual([0]);
    b.learn(1);
    expect(b.predict()).toEqual([1]);
    b.learn(0);
    expect(b.predict()).toEqual([0]); // tie -> 0
    b.learn(1);
    expect(b.predict()).toEqual([1]);
  });

  it('snapshot -> JSON -> restore continues identically', () => {
    const a = new MajorityBaseline({ task: 'multiclass', classes: 4 });
    for (const y of [3, 1, 3]) a.learn(y);
    const b = new MajorityBaseline({ task: 'multiclass', classes: 4 });
    b.restore(JSON.parse(JSON.stringify(a.snapshot())));
    for (const y of [1, 2, 2, 2, 2, 3]) {
      expect(b.predict()).toEqual(a.predict());
      a.learn(y);
      b.learn(y);
    }
    expect(b.predict()).toEqual([0, 0, 1, 0]); // counts 1:2, 2:4, 3:3
  });

  it('rejects bad settings and snapshots', () => {
    expect(() => new MajorityBaseline({ task: 'multiclass', classes: 1 })).toThrow(ConfigError);
    const b = new MajorityBaseline({ task: 'multiclass', classes: 3 });
    expect(() => b.restore({ counts: [1, 2] })).toThrow(CheckpointError);
    expect(() => b.restore({ counts: [1, -2, 0] })).toThrow(CheckpointError);
  });
});
