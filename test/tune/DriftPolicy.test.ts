import { describe, it, expect } from 'vitest';
import { CheckpointError, ConfigError } from '../../src/errors.js';
import { DriftPolicy } from '../../src/tune/DriftPolicy.js';
import type { HyperParams } from '../../src/types.js';
import { NOW, relErr, signals } from './signals.js';

const drift = { detector: 'adwin', signal: 'drift' };
const hp0: HyperParams = { learningRate: 1e-3, l2: 1e-4 };

describe('DriftPolicy', () => {
  it('changes nothing without a drift', () => {
    const policy = new DriftPolicy();
    const d = policy.decide(signals(1), hp0, NOW);
    expect(d.hp).toBe(hp0);
    expect(d.events).toEqual([]);
    expect(d.actions).toEqual([]);
    expect(policy.active).toBe(false);
  });

  it('raises the lr to base * factor, then decays it geometrically every batch back exactly to the base over decayBatches', () => {
    const D = 10;
    const policy = new DriftPolicy({ factor: 3, decayBatches: D, maxLr: 1 });
    const start = policy.decide(signals(5, { drift }), hp0, NOW);
    expect(start.hp).toEqual({ learningRate: 3e-3, l2: 1e-4 });
    expect(start.events).toEqual([
      {
        time: NOW,
        records: 160,
        batches: 5,
        reason: 'drift',
        param: 'learningRate',
        old: 1e-3,
        new: 3e-3,
        signals: { detector: 'adwin', signal: 'drift', base: 1e-3, factor: 3 },
      },
    ]);
    expect(policy.active).toBe(true);
    let hp = start.hp;
    const lrs = [hp.learningRate];
    for (let k = 1; k <= D; k++) {
      const d = policy.decide(signals(5 + k), hp, NOW);
      expect(d.hp.learningRate).not.toBe(hp.learningRate); // the lr changes every batch
      hp = d.hp;
      lrs.push(hp.learningRate);
      if (k < D) {
        expect(relErr(hp.learningRate, 1e-3 * 3 ** (1 - k / D))).toBeLessThan(1e-12);
        expect(d.events).toEqual([]); // no event while decaying
      } else {
        expect(hp.learningRate).toBe(1e-3); // exactly the base
        expect(d.events).toHaveLength(1);
        expect(d.events[0]).toMatchObject({ reason: 'drift_decay', param: 'learningRate', new: 1e-3, batches: 15 });
        expect(relErr(d.events[0]?.old as number, 1e-3 * 3 ** (1 / D))).toBeLessThan(1e-12);
      }
    }
    // geometric: a constant ratio 3^(-1/D) between successive batches
    for (let k = 1; k <= D; k++) expect(relErr((lrs[k] as number) / (lrs[k - 1] as number), 3 ** (-1 / D))).toBeLessThan(1e-12);
    expect(policy.active).toBe(false);
    const after = policy.decide(signals(16), hp, NOW);
    expect(after.hp).toBe(hp);
    expect(after.events).toEqual([]);
  });

  it('bounds the boost by maxLr and never lowers the lr', () => {
    const bounded = new DriftPolicy({ factor: 3, maxLr: 0.01 });
    expect(bounded.decide(signals(1, { drift }), { learningRate: 0.005, l2: 0 }, NOW).hp.learningRate).toBe(0.01);
    const above = new DriftPolicy({ factor: 3, maxLr: 0.01 });
    expect(above.decide(signals(1, { drift }), { learningRate: 0.02, l2: 0 }, NOW).hp.learningRate).toBe(0.02);
  });

  it('ignores drifts during the cooldown (counted), and a later drift re-boosts from the same base without compounding', () => {
    const policy = new DriftPolicy({ factor: 3, maxLr: 1, decayBatches: 20, cooldownBatches: 5 });
    let hp = policy.decide(signals(1, { drift }), hp0, NOW).hp;
    hp = policy.decide(signals(2), hp, NOW).hp;
    const ignored = policy.decide(signals(3, { drift }), hp, NOW); // 2 batches after: within the cooldown
    expect(ignored.events).toEqual([]);
    expect(relErr(ignored.hp.learningRate, 1e-3 * 3 ** (1 - 2 / 20))).toBeLessThan(1e-12); // the decay goes on
    expect(policy.get()).toMatchObject({ accepted: 1, ignored: 1 });
    hp = ignored.hp;
    for (let b = 4; b <= 5; b++) hp = policy.decide(signals(b), hp, NOW).hp;
    const again = policy.decide(signals(6, { drift }), hp, NOW); // 5 batches after: the cooldown is over
    expect(again.hp.learningRate).toBe(3e-3); // base * factor, not current * factor
    expect(again.events[0]).toMatchObject({ reason: 'drift', old: hp.learningRate, new: 3e-3 });
    expect(policy.get()).toMatchObject({ accepted: 2, ignored: 1 });
    hp = again.hp;
    for (let b = 7; b <= 26; b++) hp = policy.decide(signals(b), hp, NOW).hp;
    expect(hp.learningRate).toBe(1e-3);
    expect(policy.active).toBe(false);
  });

  it('returns the reset_moments and speed_up_forgetting actions on accepted drifts only', () => {
    const policy = new DriftPolicy({ resetMoments: true, forgetting: { halfLife: 500, batches: 40 }, cooldownBatches: 10 });
    const d = policy.decide(signals(1, { drift }), hp0, NOW);
    expect(d.actions).toEqual([{ type: 'reset_moments' }, { type: 'speed_up_forgetting', halfLife: 500, batches: 40 }]);
    expect(d.events.map((e) => [e.param, e.action, e.new])).toEqual([
      ['learningRate', undefined, 3e-3],
      ['optimizer', 'reset_moments', null],
      ['standardizer', 'speed_up_forgetting', 500],
    ]);
    expect(policy.decide(signals(2, { drift }), d.hp, NOW).actions).toEqual([]);
    expect(new DriftPolicy().decide(signals(1, { drift }), hp0, NOW).actions).toEqual([]);
  });

  it('rescales the schedule when the lr is changed from outside during a boost (a divergence cut is kept)', () => {
    const D = 10;
    const policy = new DriftPolicy({ factor: 3, maxLr: 1, decayBatches: D });
    let hp = policy.decide(signals(0, { drift }), hp0, NOW).hp;
    for (let b = 1; b <= 4; b++) hp = policy.decide(signals(b), hp, NOW).hp;
    hp = { ...hp, learningRate: hp.learningRate / 2 }; // cut by someone else
    const next = policy.decide(signals(5), hp, NOW).hp.learningRate;
    expect(relErr(next, 0.5e-3 * 3 ** (1 - 5 / D))).toBeLessThan(1e-12);
    hp = { ...hp, learningRate: next };
    for (let b = 6; b <= D; b++) hp = policy.decide(signals(b), hp, NOW).hp;
    expect(hp.learningRate).toBe(0.5e-3);
  });

  it('continues identically after snapshot and restore through JSON', () => {
    const settings = { factor: 4, maxLr: 1, decayBatches: 30, cooldownBatches: 7 };
    const a = new DriftPolicy(settings);
    let hp = hp0;
    for (let b = 1; b <= 12; b++) hp = a.decide(signals(b, { drift: b % 5 === 0 ? drift : null }), hp, NOW).hp;
    const b = new DriftPolicy(settings);
    b.restore(JSON.parse(JSON.stringify(a.snapshot())));
    let hpA = hp;
    let hpB = hp;
    for (let k = 13; k <= 60; k++) {
      const s = signals(k, { drift: k % 9 === 0 ? drift : null });
      const da = a.decide(s, hpA, NOW);
      const db = b.decide(s, hpB, NOW);
      expect(db).toEqual(da);
      hpA = da.hp;
      hpB = db.hp;
    }
    expect(b.get()).toEqual(a.get());
  });

  it('rejects bad settings and corrupt snapshots, naming the field', () => {
    expect(() => new DriftPolicy({ factor: 0.5 })).toThrow(ConfigError);
    expect(() => new DriftPolicy({ decayBatches: 0 })).toThrow(/"decayBatches"/);
    expect(() => new DriftPolicy({ cooldown: 3 } as never)).toThrow(/cooldown/);
    const policy = new DriftPolicy();
    expect(() => policy.restore({ episode: null, lastDrift: null, accepted: -1, ignored: 0 })).toThrow(CheckpointError);
    expect(() => policy.restore(null as never)).toThrow(CheckpointError);
  });
});
