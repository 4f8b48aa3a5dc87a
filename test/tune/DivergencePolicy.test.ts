import { describe, it, expect } from 'vitest';
import { CheckpointError, ConfigError } from '../../src/errors.js';
import { DivergencePolicy } from '../../src/tune/DivergencePolicy.js';
import type { HyperParams } from '../../src/types.js';
import { NOW, signals } from './signals.js';

const hp0: HyperParams = { learningRate: 1e-3, l2: 1e-4 };

/** Feeds finite losses; returns the EWMA computed independently (first value, then (1 - alpha) * m + alpha * x). */
function feed(policy: DivergencePolicy, losses: readonly number[], alpha: number, from = 1): number {
  let m = NaN;
  losses.forEach((x, i) => {
    const d = policy.decide(signals(from + i, { batchLoss: x }), hp0, NOW);
    expect(d.events).toEqual([]);
    m = i === 0 ? x : (1 - alpha) * m + alpha * x;
  });
  return m;
}

describe('DivergencePolicy', () => {
  it('on a NaN loss from a skipped step restores the weights and cuts the lr', () => {
    const d = new DivergencePolicy({ factor: 0.5 }).decide(signals(7, { batchLoss: NaN, applied: false }), hp0, NOW);
    expect(d.actions).toEqual([{ type: 'restore_weights' }]);
    expect(d.hp).toEqual({ learningRate: 5e-4, l2: 1e-4 });
    expect(d.events).toEqual([
      {
        time: NOW,
        records: 224,
        batches: 7,
        reason: 'divergence',
        param: 'weights',
        old: null,
        new: null,
        action: 'restore_weights',
        signals: { trigger: 'skipped_step', batchLoss: 'NaN', ewma: 'none', applied: 'false' },
      },
      {
        time: NOW,
        records: 224,
        batches: 7,
        reason: 'divergence',
        param: 'learningRate',
        old: 1e-3,
        new: 5e-4,
        signals: { trigger: 'skipped_step', batchLoss: 'NaN', ewma: 'none', applied: 'false' },
      },
    ]);
  });

  it('fires on an infinite loss, and not on the NaN loss of a batch without train rows', () => {
    const policy = new DivergencePolicy();
    const none = policy.decide(signals(1, { batchLoss: NaN, applied: true }), hp0, NOW);
    expect(none.hp).toBe(hp0);
    expect(none.actions).toEqual([]);
    expect(policy.get()).toMatchObject({ ewma: null, seen: 0 });
    const inf = policy.decide(signals(2, { batchLoss: Infinity, applied: true }), hp0, NOW);
    expect(inf.actions).toEqual([{ type: 'restore_weights' }]);
    expect(inf.events[0]?.signals.trigger).toBe('non_finite');
  });

  it('bounds the cut by minLr and still restores the weights at the floor', () => {
    const policy = new DivergencePolicy({ minLr: 1e-6, cooldownBatches: 0 });
    const cut = policy.decide(signals(1, { applied: false }), { learningRate: 1.5e-6, l2: 0 }, NOW);
    expect(cut.hp.learningRate).toBe(1e-6);
    const floor = policy.decide(signals(2, { applied: false }), cut.hp, NOW);
    expect(floor.hp).toBe(cut.hp);
    expect(floor.actions).toEqual([{ type: 'restore_weights' }]);
    expect(floor.events.map((e) => e.param)).toEqual(['weights']);
  });

  it('detects a spike above spikeFactor times the EWMA of batch losses, only after the warmup', () => {
    const alpha = 0.1;
    const losses = Array.from({ length: 20 }, (_, i) => 1 + 0.1 * Math.sin(i));
    const policy = new DivergencePolicy({ warmupBatches: 20, alpha, spikeFactor: 10 });
    const m = feed(policy, losses, alpha);
    expect(policy.get().ewma).toBeCloseTo(m, 12);
    // just below the bar: a normal loss, folded in
    const below = 10 * m * (1 - 1e-9);
    const quiet = policy.decide(signals(21, { batchLoss: below }), hp0, NOW);
    expect(quiet.actions).toEqual([]);
    const m2 = (1 - alpha) * m + alpha * below;
    expect(policy.get().ewma).toBeCloseTo(m2, 12);
    // just above it: a spike, kept out of the EWMA
    const spike = policy.decide(signals(22, { batchLoss: 10 * m2 * (1 + 1e-9) }), hp0, NOW);
    expect(spike.actions).toEqual([{ type: 'restore_weights' }]);
    expect(spike.events[0]?.signals).toMatchObject({ trigger: 'spike' });
    expect(policy.get().ewma).toBeCloseTo(m2, 12);
    expect(policy.get().seen).toBe(21);
  });

  it('does not look for spikes during the warmup', () => {
    const policy = new DivergencePolicy({ warmupBatches: 20 });
    feed(policy, [1, 1, 1, 1, 100, 1], 0.1);
    expect(policy.get().fired).toBe(0);
  });

  it('ignores triggers during the cooldown, counting them', () => {
    const policy = new DivergencePolicy({ cooldownBatches: 20 });
    let hp = policy.decide(signals(30, { applied: false }), hp0, NOW).hp;
    const ignored = policy.decide(signals(49, { applied: false }), hp, NOW);
    expect(ignored.hp).toBe(hp);
    expect(ignored.actions).toEqual([]);
    hp = policy.decide(signals(50, { applied: false }), hp, NOW).hp;
    expect(hp.learningRate).toBe(2.5e-4);
    expect(policy.get()).toMatchObject({ fired: 2, ignored: 1, lastFired: 50 });
  });

  it('continues identically after snapshot and restore through JSON', () => {
    const settings = { warmupBatches: 5, cooldownBatches: 3 };
    const script = Array.from({ length: 80 }, (_, i) => ({
      batchLoss: i % 17 === 16 ? 50 : i % 23 === 22 ? NaN : 1 + 0.2 * Math.cos(i),
      applied: i % 23 !== 22,
    }));
    const a = new DivergencePolicy(settings);
    let hp = hp0;
    script.slice(0, 40).forEach((s, i) => (hp = a.decide(signals(i + 1, s), hp, NOW).hp));
    const b = new DivergencePolicy(settings);
    b.restore(JSON.parse(JSON.stringify(a.snapshot())));
    let hpA = hp;
    let hpB = hp;
    script.slice(40).forEach((s, i) => {
      const da = a.decide(signals(41 + i, s), hpA, NOW);
      const db = b.decide(signals(41 + i, s), hpB, NOW);
      expect(db).toEqual(da);
      hpA = da.hp;
      hpB = db.hp;
    });
    expect(a.get().fired).toBeGreaterThan(2);
  });

  it('rejects bad settings and corrupt snapshots', () => {
    expect(() => new DivergencePolicy({ spikeFactor: 1 })).toThrow(ConfigError);
    expect(() => new DivergencePolicy({ alpha: 0 })).toThrow(/"alpha"/);
    expect(() => new DivergencePolicy().restore({ ewma: 'x' } as never)).toThrow(CheckpointError);
  });
});
