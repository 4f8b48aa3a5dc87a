import { describe, it, expect } from 'vitest';
import { CheckpointError, ConfigError } from '../../src/errors.js';
import { GapPolicy, type GapSettingsInput } from '../../src/tune/GapPolicy.js';
import type { TuningEvent } from '../../src/tune/TuningEvent.js';
import type { HyperParams } from '../../src/types.js';
import { NOW, rng, signals } from './signals.js';

/** Runs the policy over (train, holdout) loss pairs; returns the l2 after each step and the events with their step. */
function run(policy: GapPolicy, pairs: ReadonlyArray<readonly [number, number]>, l2: number) {
  let hp: HyperParams = { learningRate: 1e-3, l2 };
  const l2s: number[] = [];
  const events: Array<{ step: number; event: TuningEvent }> = [];
  pairs.forEach(([trainLoss, holdoutLoss], i) => {
    const d = policy.decide(signals(i + 1, { trainLoss, holdoutLoss }), hp, NOW);
    for (const event of d.events) events.push({ step: i + 1, event });
    hp = d.hp;
    l2s.push(hp.l2);
  });
  return { l2s, events, steps: events.map((e) => e.step) };
}

/** Pairs with train loss 0.3 and the given gaps. */
const gaps = (gs: readonly number[]) => gs.map((g) => [0.3, 0.3 + g] as const);
const repeat = (n: number, g: number) => Array.from({ length: n }, () => g);

const base: GapSettingsInput = { patience: 3, cooldown: 4, factor: 2, gapThreshold: 0.05, maxL2: 0.1 };

describe('GapPolicy', () => {
  it('raises L2 only after patience consecutive overfitting steps; a step below the threshold restarts the count', () => {
    const { l2s, events } = run(new GapPolicy(base), gaps([0.1, 0.1, 0.02, 0.1, 0.1, 0.1]), 1e-3);
    expect(l2s).toEqual([1e-3, 1e-3, 1e-3, 1e-3, 1e-3, 2e-3]);
    expect(events).toHaveLength(1);
    expect(events[0]?.event).toMatchObject({ reason: 'overfit', param: 'l2', old: 1e-3, new: 2e-3, batches: 6 });
    expect(events[0]?.event.signals.gap).toBeCloseTo(0.1, 12);
  });

  it('waits out the cooldown after each change and stops at maxL2', () => {
    // patience 3, cooldown 4: changes at steps 3, 3 + 7, 3 + 14; the third hits the bound 0.1
    const { l2s, steps } = run(new GapPolicy(base), gaps(repeat(60, 0.2)), 0.02);
    expect(steps).toEqual([3, 10, 17]);
    expect(l2s[2]).toBe(0.04);
    expect(l2s[9]).toBe(0.08);
    expect(l2s.slice(16)).toEqual(repeat(44, 0.1));
  });

  it('starts a zero L2 at minL2', () => {
    expect(run(new GapPolicy({ ...base, minL2: 1e-5 }), gaps(repeat(3, 0.2)), 0).l2s[2]).toBe(1e-5);
  });

  it('lowers L2 on underfitting only when highLoss is set', () => {
    const high = repeat(10, 0).map(() => [0.8, 0.805] as const); // both above 0.6, gap 0.005 < smallGap 0.01
    const on = run(new GapPolicy({ ...base, highLoss: 0.6, minL2: 1e-4 }), high, 1e-3);
    expect(on.steps).toEqual([3, 10]);
    expect(on.events[0]?.event).toMatchObject({ reason: 'underfit', old: 1e-3, new: 5e-4 });
    expect(on.l2s[9]).toBe(2.5e-4);
    expect(run(new GapPolicy(base), high, 1e-3).steps).toEqual([]);
    // bounded by minL2
    expect(run(new GapPolicy({ ...base, highLoss: 0.6, minL2: 6e-4 }), high, 1e-3).l2s.at(-1)).toBe(6e-4);
  });

  it('measures the gap relative to the train loss in rel mode', () => {
    const pairs = repeat(3, 0).map(() => [0.5, 0.54] as const); // abs gap 0.04, rel gap 0.08
    expect(run(new GapPolicy(base), pairs, 1e-3).steps).toEqual([]);
    expect(run(new GapPolicy({ ...base, mode: 'rel' }), pairs, 1e-3).steps).toEqual([3]);
  });

  it('treats a missing holdout loss as no evidence', () => {
    const pairs = [[0.3, 0.5], [0.3, 0.5], [0.3, NaN], [0.3, 0.5], [0.3, 0.5]] as const;
    expect(run(new GapPolicy(base), pairs, 1e-3).steps).toEqual([]);
  });

  describe('does not oscillate', () => {
    const settings: GapSettingsInput = { patience: 5, cooldown: 20, factor: 2, gapThreshold: 0.05, smallGap: 0.01, highLoss: 0.5, maxL2: 1e6 };

    /** Pairs with both losses high (so both conditions are possible) and the given gaps. */
    const highGaps = (gs: readonly number[]) => gs.map((g) => [0.8, 0.8 + g] as const);

    /** Steps between changes are at least cooldown + patience. */
    function expectSpaced(steps: readonly number[]): void {
      for (let i = 1; i < steps.length; i++) expect((steps[i] as number) - (steps[i - 1] as number)).toBeGreaterThanOrEqual(25);
    }

    it('never changes on a gap alternating across the threshold, or between overfitting and underfitting', () => {
      const n = 2000;
      expect(run(new GapPolicy(settings), highGaps(Array.from({ length: n }, (_, i) => (i % 2 ? 0.06 : 0.04))), 1e-3).steps).toEqual([]);
      expect(run(new GapPolicy(settings), highGaps(Array.from({ length: n }, (_, i) => (i % 2 ? 0.2 : 0))), 1e-3).steps).toEqual([]);
      // blocks shorter than patience
      const blocks = Array.from({ length: n }, (_, i) => (Math.floor(i / 4) % 2 ? 0.2 : 0));
      expect(run(new GapPolicy(settings), highGaps(blocks), 1e-3).steps).toEqual([]);
    });

    it('moves one way at most once per cooldown + patience on noise around the overfitting threshold', () => {
      const r = rng(11);
      const noisy = Array.from({ length: 3000 }, () => 0.05 + (r() - 0.5) * 0.04); // in [0.03, 0.07]
      const { steps, events } = run(new GapPolicy(settings), highGaps(noisy), 1e-3);
      expect(steps.length).toBeGreaterThan(1); // the scenario does produce changes
      expect(steps.length).toBeLessThanOrEqual(1 + 3000 / 25);
      expectSpaced(steps);
      expect(new Set(events.map((e) => e.event.reason))).toEqual(new Set(['overfit'])); // never flips back
    });

    it('moves one way on noise around the underfitting threshold', () => {
      const r = rng(12);
      const noisy = Array.from({ length: 3000 }, () => 0.01 + (r() - 0.5) * 0.02); // in [0, 0.02]
      const { steps, events } = run(new GapPolicy(settings), highGaps(noisy), 1e-3);
      expect(steps.length).toBeGreaterThan(1);
      expectSpaced(steps);
      expect(new Set(events.map((e) => e.event.reason))).toEqual(new Set(['underfit']));
    });

    it('keeps changes apart on noise spanning both conditions', () => {
      const r = rng(13);
      const noisy = Array.from({ length: 5000 }, () => r() * 0.08 - 0.01);
      const { steps, events } = run(new GapPolicy({ ...settings, patience: 3 }), highGaps(noisy), 1e-3);
      expect(new Set(events.map((e) => e.event.reason))).toEqual(new Set(['overfit', 'underfit'])); // both happen
      expect(steps.length).toBeLessThanOrEqual(1 + 5000 / 23);
      for (let i = 1; i < steps.length; i++) expect((steps[i] as number) - (steps[i - 1] as number)).toBeGreaterThanOrEqual(23);
    });
  });

  it('resetPatience() restarts the counts and keeps the cooldown', () => {
    const policy = new GapPolicy(base);
    run(policy, gaps([0.2, 0.2]), 1e-3);
    expect(policy.get().overfitSteps).toBe(2);
    policy.resetPatience();
    expect(policy.get().overfitSteps).toBe(0);
    expect(run(policy, gaps(repeat(3, 0.2)), 1e-3).steps).toEqual([3]);
    policy.resetPatience();
    expect(policy.get().cooldownCounter).toBe(4);
  });

  it('continues identically after snapshot and restore through JSON', () => {
    const settings = { ...base, highLoss: 0.25 };
    const r = rng(5);
    const pairs = Array.from({ length: 200 }, () => [0.3, 0.3 + r() * 0.1 - 0.02] as const);
    const a = new GapPolicy(settings);
    const head = run(a, pairs.slice(0, 90), 1e-3);
    const b = new GapPolicy(settings);
    b.restore(JSON.parse(JSON.stringify(a.snapshot())));
    const l2 = head.l2s.at(-1) as number;
    expect(run(b, pairs.slice(90), l2)).toEqual(run(a, pairs.slice(90), l2));
  });

  it('rejects bad settings and corrupt snapshots', () => {
    expect(() => new GapPolicy({ factor: 1 })).toThrow(ConfigError);
    expect(() => new GapPolicy({ highLoss: 1, smallGap: 0.05, gapThreshold: 0.05 })).toThrow(/"smallGap"/);
    expect(() => new GapPolicy({ minL2: 1, maxL2: 0.1 })).toThrow(/"minL2"/);
    expect(() => new GapPolicy().restore({ overfitSteps: 1 } as never)).toThrow(CheckpointError);
  });
});
