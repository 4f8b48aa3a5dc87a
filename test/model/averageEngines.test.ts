import { describe, expect, it } from 'vitest';
import { ModelError } from '../../src/errors.js';
import { averageEngines } from '../../src/model/averageEngines.js';
import type { EngineSnapshot } from '../../src/model/Engine.js';

/** A two-tensor model ([2,1] kernel and [1] bias) with Adam moments, from plain numbers. */
function snapshot(kernel: [number, number], bias: number, m: number, v: number, t: number, vhat?: number): EngineSnapshot {
  const slot = (shape: number[], n: number) => ({ shape, m: Array(n).fill(m), v: Array(n).fill(v), ...(vhat === undefined ? {} : { vhat: Array(n).fill(vhat) }) });
  return {
    weights: [
      { shape: [2, 1], values: [...kernel] },
      { shape: [1], values: [bias] },
    ],
    optimizer: { t, slots: [slot([2, 1], 2), slot([1], 1)] },
  };
}

describe('averageEngines', () => {
  it('weights each model by its records: exact on small arrays', () => {
    const a = snapshot([1, 2], 3, 0.1, 0.01, 10);
    const b = snapshot([5, -2], -1, 0.5, 0.05, 30);
    const merged = averageEngines([
      { engine: a, weight: 3000 },
      { engine: b, weight: 1000 },
    ]);
    expect(merged.weights[0]!.values).toEqual([0.75 * 1 + 0.25 * 5, 0.75 * 2 + 0.25 * -2]);
    expect(merged.weights[1]!.values[0]).toBeCloseTo(0.75 * 3 - 0.25, 12);
    expect(merged.weights.map((w) => w.shape)).toEqual([[2, 1], [1]]);
    // Adam's moments with the same weights, the largest step count
    expect(merged.optimizer.slots[0]!.m[0]).toBeCloseTo(0.75 * 0.1 + 0.25 * 0.5, 12);
    expect(merged.optimizer.slots[1]!.v[0]).toBeCloseTo(0.75 * 0.01 + 0.25 * 0.05, 12);
    expect(merged.optimizer.t).toBe(30);
    expect(merged.optimizer.slots[0]!.vhat).toBeUndefined();
  });

  it('equal weights give the plain mean; a weight of 0 drops the model; the inputs are not changed', () => {
    const a = snapshot([1, 2], 3, 0, 0, 1);
    const b = snapshot([3, 4], 5, 0, 0, 1);
    const c = snapshot([100, 100], 100, 9, 9, 99);
    const merged = averageEngines([
      { engine: a, weight: 7 },
      { engine: b, weight: 7 },
      { engine: c, weight: 0 },
    ]);
    expect(merged.weights[0]!.values).toEqual([2, 3]);
    expect(merged.weights[1]!.values).toEqual([4]);
    expect(merged.optimizer.t).toBe(1);
    expect(a.weights[0]!.values).toEqual([1, 2]);
  });

  it('AMSGrad maxima are averaged too; a model that never stepped gives weights but no moments', () => {
    const a = snapshot([0, 0], 0, 1, 1, 5, 2);
    const b = snapshot([2, 2], 2, 3, 3, 5, 4);
    const fresh: EngineSnapshot = { weights: snapshot([4, 4], 4, 0, 0, 0).weights, optimizer: { t: 0, slots: [] } };
    const merged = averageEngines([
      { engine: a, weight: 1 },
      { engine: b, weight: 1 },
      { engine: fresh, weight: 2 },
    ]);
    expect(merged.weights[0]!.values).toEqual([2.5, 2.5]); // (0 + 2 + 2·4) / 4
    expect(merged.optimizer.slots[0]!.m).toEqual([2, 2]); // (1 + 3) / 2: the fresh one has none
    expect(merged.optimizer.slots[0]!.vhat).toEqual([3, 3]);
  });

  it('refuses models of different shapes and an average of nothing, naming what to do', () => {
    const a = snapshot([1, 2], 3, 0, 0, 1);
    const wide: EngineSnapshot = { weights: [{ shape: [3, 1], values: [1, 2, 3] }, { shape: [1], values: [0] }], optimizer: { t: 0, slots: [] } };
    expect(() => averageEngines([{ engine: a, weight: 1 }, { engine: wide, weight: 1 }])).toThrow(/same model and features/);
    expect(() => averageEngines([{ engine: a, weight: 0 }])).toThrow(ModelError);
  });
});
