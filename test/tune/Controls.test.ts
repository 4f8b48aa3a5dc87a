import { describe, expect, it } from 'vitest';
import type { WeightData } from '../../src/model/Engine.js';
import { Controls } from '../../src/tune/Controls.js';
import type { TuningAction } from '../../src/tune/TuningAction.js';
import { scoredBatch } from '../support/scoredBatch.js';

/** An engine whose weights are one number, and a scaler that records its forgetting. */
function targets() {
  const state = { w: 1, resets: 0, halfLives: [] as Array<number | undefined> };
  const engine = {
    getWeights: (): WeightData[] => [{ shape: [1], values: Float32Array.of(state.w) }],
    setWeights: (ws: readonly WeightData[]) => void (state.w = ws[0]?.values[0] ?? NaN),
    resetOptimizer: () => void state.resets++,
  };
  const scaler = { forgetWith: (h: number | undefined) => void state.halfLives.push(h) };
  return { state, engine, scaler };
}

const hp = { learningRate: 0.001, l2: 0.001 };
const decide = (actions: TuningAction[], next = hp) => ({ hp: next, events: [], actions });
const good = { ...scoredBatch([{ y: 1, split: 'train', p: [0.9] }]), loss: 0.4 };
const broken = { ...good, loss: NaN, applied: false };

describe('Controls', () => {
  it('is the one owner of the hyperparameters: what a decision sets is what the next step reads', () => {
    const { engine, scaler } = targets();
    const controls = new Controls(hp, { engine, scaler });
    expect(controls.hyperParams).toBe(hp);
    const next = { learningRate: 0.003, l2: 0.001 };
    controls.apply(decide([], next), good, 1);
    expect(controls.hyperParams).toBe(next);
    controls.restore(hp);
    expect(controls.hyperParams).toBe(hp);
  });

  it('restores the last good weights (kept every keepEvery finite steps), never ones from a broken step', () => {
    const { state, engine, scaler } = targets();
    const controls = new Controls(hp, { engine, scaler }, 2);
    controls.apply(decide([]), good, 1); // kept: w = 1
    state.w = 2;
    controls.apply(decide([]), good, 2); // not due yet
    state.w = 3;
    controls.apply(decide([]), broken, 3); // due, but a broken step is never kept
    state.w = 99;
    controls.apply(decide([{ type: 'restore_weights' }]), broken, 4);
    expect(state.w).toBe(1);
    expect(controls.hasGoodWeights).toBe(true);
  });

  it('resets the moments, and speeds up forgetting for a number of batches before putting it back', () => {
    const { state, engine, scaler } = targets();
    const controls = new Controls(hp, { engine, scaler });
    controls.apply(decide([{ type: 'reset_moments' }, { type: 'speed_up_forgetting', halfLife: 500, batches: 3 }]), good, 10);
    expect(state.resets).toBe(1);
    expect(state.halfLives).toEqual([500]);
    controls.apply(decide([]), good, 12);
    expect(state.halfLives).toEqual([500]);
    controls.apply(decide([]), good, 13);
    expect(state.halfLives).toEqual([500, undefined]);
  });
});
