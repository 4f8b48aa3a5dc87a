import { describe, expect, it } from 'vitest';
import { CheckpointError, ConfigError } from '../../src/errors.js';
import { Lags } from '../../src/records/Lags.js';
import type { Sample } from '../../src/types.js';

const schema = { features: ['a', 'b'], label: 'y' };
const sample = (index: number, a: number, y: number, key?: string): Sample => ({
  index,
  position: `t:${index}`,
  x: Float32Array.of(a, 10 * a),
  y,
  ...(key === undefined ? {} : { key }),
});
const added = (s: Sample): number[] => Array.from(s.x.slice(2));

describe('Lags', () => {
  it("appends the previous labels and feature values, 0 before there are any, never the record's own label", () => {
    const lags = new Lags({ label: [1, 2], features: { b: [1] } }, schema);
    expect(lags.names).toEqual(['y@1', 'y@2', 'b@1']);
    expect(added(lags.augment(sample(0, 1, 1)))).toEqual([0, 0, 0]);
    expect(added(lags.augment(sample(1, 2, 0)))).toEqual([1, 0, 10]);
    expect(added(lags.augment(sample(2, 3, 1)))).toEqual([0, 1, 20]);
    const fourth = lags.augment(sample(3, 4, 0));
    expect(Array.from(fourth.x)).toEqual([4, 40, 1, 0, 30]); // the features first, unchanged
    expect(fourth.y).toBe(0);
  });

  it('keeps each entity apart, and forgets the least recently seen beyond maxEntities', () => {
    const lags = new Lags({ label: [1], features: {}, maxEntities: 2 }, schema);
    lags.augment(sample(0, 1, 1, 'a'));
    lags.augment(sample(1, 1, 0, 'b'));
    expect(added(lags.augment(sample(2, 1, 0, 'a')))).toEqual([1]); // a's previous, not b's
    lags.augment(sample(3, 1, 1, 'c')); // b is the least recently seen: forgotten
    expect(lags.entities).toBe(2);
    expect(added(lags.augment(sample(4, 1, 1, 'b')))).toEqual([0]);
    expect(added(lags.augment(sample(5, 1, 1, 'c')))).toEqual([1]);
  });

  it('passes samples through untouched without lags', () => {
    const lags = new Lags({ label: [], features: {} }, schema);
    const s = sample(0, 1, 1);
    expect(lags.augment(s)).toBe(s);
    expect(lags.size).toBe(0);
  });

  it('restores its history from a snapshot, and refuses one taken with other lags', () => {
    const lags = new Lags({ label: [1, 3], features: {} }, schema);
    [1, 0, 1, 1].forEach((y, i) => lags.augment(sample(i, i, y, 'k')));
    const restored = new Lags({ label: [1, 3], features: {} }, schema);
    restored.restore(JSON.parse(JSON.stringify(lags.snapshot())));
    expect(added(restored.augment(sample(9, 0, 0, 'k')))).toEqual(added(lags.augment(sample(9, 0, 0, 'k'))));
    expect(() => new Lags({ label: [1], features: {} }, schema).restore(lags.snapshot())).toThrow(CheckpointError);
  });

  it('names the bad setting', () => {
    expect(() => new Lags({ label: [0], features: {} }, schema)).toThrow(/lags.label: .*got 0/);
    expect(() => new Lags({ label: [], features: { c: [1] } }, schema)).toThrow(ConfigError);
    expect(() => new Lags({ label: [], features: { c: [1] } }, schema)).toThrow(/"c" is not a feature \(features: a, b\)/);
  });
});
