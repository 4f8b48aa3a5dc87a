import { describe, it, expect } from 'vitest';
import { CheckpointError, ConfigError } from '../../src/errors.js';
import { PlateauPolicy, type PlateauSettingsInput } from '../../src/tune/PlateauPolicy.js';
import type { HyperParams } from '../../src/types.js';
import { NOW, rng, signals } from './signals.js';

interface KerasOptions {
  factor: number;
  patience: number;
  cooldown: number;
  minLr: number;
  minDelta: number;
  threshold: number;
}

/**
 * Keras `ReduceLROnPlateau.on_epoch_end` (mode 'min') transcribed line by line, with the relative
 * threshold folded into `monitor_op`; returns the lr in force after each epoch.
 */
function kerasReference(losses: readonly number[], lr0: number, o: KerasOptions): number[] {
  let best = Infinity;
  let wait = 0;
  let cooldownCounter = 0;
  let lr = lr0;
  const monitorOp = (a: number, b: number) => a < b * (1 - o.threshold) - o.minDelta;
  const inCooldown = () => cooldownCounter > 0;
  const out: number[] = [];
  for (const current of losses) {
    if (inCooldown()) {
      cooldownCounter -= 1;
      wait = 0;
    }
    if (monitorOp(current, best)) {
      best = current;
      wait = 0;
    } else if (!inCooldown()) {
      wait += 1;
      if (wait >= o.patience) {
        const oldLr = lr;
        if (oldLr > o.minLr) {
          lr = Math.max(oldLr * o.factor, o.minLr);
          cooldownCounter = o.cooldown;
          wait = 0;
        }
      }
    }
    out.push(lr);
  }
  return out;
}

/** Runs the policy over holdout losses; returns the lr after each step and the steps (1-based) with an event. */
function run(policy: PlateauPolicy, losses: readonly number[], lr0: number): { lrs: number[]; eventSteps: number[] } {
  let hp: HyperParams = { learningRate: lr0, l2: 0 };
  const lrs: number[] = [];
  const eventSteps: number[] = [];
  losses.forEach((loss, i) => {
    const d = policy.decide(signals(i + 1, { holdoutLoss: loss, trainLoss: loss / 2 }), hp, NOW);
    if (d.events.length > 0) eventSteps.push(i + 1);
    hp = d.hp;
    lrs.push(hp.learningRate);
  });
  return { lrs, eventSteps };
}

const flat = (n: number, v = 1) => Array.from({ length: n }, () => v);

describe('PlateauPolicy', () => {
  it('reduces after patience steps without improvement, then counts the cooldown as Keras does', () => {
    // patience 3, cooldown 2, constant loss: step 1 sets the best; steps 2-4 wait 1..3 -> reduce at 4;
    // steps 5-6 tick the cooldown down (Keras counts the step where it reaches 0 as a wait), so
    // waits are 6, 7, 8 -> reduce at 8, then at 12.
    const policy = new PlateauPolicy({ patience: 3, cooldown: 2, factor: 0.5, threshold: 0, minLr: 0 });
    const { lrs, eventSteps } = run(policy, flat(12), 1);
    expect(eventSteps).toEqual([4, 8, 12]);
    expect(lrs).toEqual([1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.125]);
  });

  it('reports the reduction with its cause', () => {
    const policy = new PlateauPolicy({ patience: 2, cooldown: 0 });
    let hp: HyperParams = { learningRate: 1e-3, l2: 0 };
    hp = policy.decide(signals(1, { holdoutLoss: 0.4 }), hp, NOW).hp;
    hp = policy.decide(signals(2, { holdoutLoss: 0.41 }), hp, NOW).hp;
    const d = policy.decide(signals(3, { holdoutLoss: 0.42 }), hp, NOW);
    expect(d.events).toEqual([
      {
        time: NOW,
        records: 96,
        batches: 3,
        reason: 'plateau',
        param: 'learningRate',
        old: 1e-3,
        new: 5e-4,
        signals: { monitor: 'holdout', loss: 0.42, best: 0.4, wait: 2, patience: 2 },
      },
    ]);
    expect(policy.get().reductions).toBe(1);
  });

  it('never goes below minLr, and at the floor makes no event while wait keeps growing (as Keras)', () => {
    const policy = new PlateauPolicy({ patience: 1, cooldown: 0, factor: 0.5, minLr: 1e-5 });
    const { lrs, eventSteps } = run(policy, flat(6), 4e-5);
    expect(lrs).toEqual([4e-5, 2e-5, 1e-5, 1e-5, 1e-5, 1e-5]);
    expect(eventSteps).toEqual([2, 3]);
    expect(policy.get().wait).toBe(3);
    // a cut that would cross the floor stops at it
    expect(run(new PlateauPolicy({ patience: 1, cooldown: 0, factor: 0.1, minLr: 1e-5 }), flat(2), 5e-5).lrs[1]).toBe(1e-5);
  });

  it('counts only relative improvements beyond threshold (and beyond minDelta) as a new best', () => {
    const rel = { patience: 2, cooldown: 0, threshold: 0.01, minLr: 0 };
    // 0.995 is not below 1 * 0.99: no improvement, so the second 0.995 completes the patience
    expect(run(new PlateauPolicy(rel), [1, 0.995, 0.995], 1).eventSteps).toEqual([3]);
    // 0.98 < 0.99 and 0.96 < 0.98 * 0.99 = 0.9702: both improve
    expect(run(new PlateauPolicy(rel), [1, 0.98, 0.96], 1).eventSteps).toEqual([]);
    const abs = { patience: 2, cooldown: 0, threshold: 0, minDelta: 0.1, minLr: 0 };
    expect(run(new PlateauPolicy(abs), [1, 0.95, 0.91], 1).eventSteps).toEqual([3]);
    expect(run(new PlateauPolicy(abs), [1, 0.85, 0.7], 1).eventSteps).toEqual([]);
  });

  it('mirrors an independent transcription of Keras on scripted noisy loss sequences', () => {
    const r = rng(7);
    // falling, then a noisy plateau, a small step down, another plateau, a drift up and a recovery
    const losses = Array.from({ length: 800 }, (_, i) => {
      const level = i < 150 ? 1 - i / 300 : i < 400 ? 0.5 : i < 420 ? 0.5 - (i - 400) / 200 : i < 600 ? 0.4 : 0.7 - (i - 600) / 1000;
      return level + (r() - 0.5) * 0.02;
    });
    const cases: KerasOptions[] = [
      { factor: 0.5, patience: 50, cooldown: 20, minLr: 1e-5, minDelta: 0, threshold: 1e-4 },
      { factor: 0.5, patience: 10, cooldown: 0, minLr: 1e-4, minDelta: 0, threshold: 0 },
      { factor: 0.2, patience: 5, cooldown: 3, minLr: 0, minDelta: 0.001, threshold: 1e-3 },
      { factor: 0.7, patience: 0, cooldown: 10, minLr: 1e-6, minDelta: 0, threshold: 1e-4 },
      { factor: 0.5, patience: 1, cooldown: 1, minLr: 2.5e-4, minDelta: 0, threshold: 0 },
    ];
    for (const o of cases) {
      const expected = kerasReference(losses, 1e-3, o);
      const policy = new PlateauPolicy(o satisfies PlateauSettingsInput);
      const { lrs, eventSteps } = run(policy, losses, 1e-3);
      expect(lrs).toEqual(expected);
      const reductions = expected.filter((lr, i) => lr !== (i === 0 ? 1e-3 : expected[i - 1])).length;
      expect(reductions).toBeGreaterThanOrEqual(2); // the scenario exercises reductions
      expect(eventSteps).toHaveLength(reductions);
    }
    // the floors are reached too (cases 1, 4 and 5)
    for (const i of [0, 3, 4]) {
      const o = cases[i] as KerasOptions;
      expect(kerasReference(losses, 1e-3, o).at(-1)).toBe(o.minLr);
    }
  });

  it('watches the train loss until a holdout loss exists, then the holdout loss with a fresh best', () => {
    const policy = new PlateauPolicy({ patience: 2, cooldown: 0, minLr: 0 });
    let hp: HyperParams = { learningRate: 1, l2: 0 };
    const step = (b: number, trainLoss: number, holdoutLoss: number) => {
      const d = policy.decide(signals(b, { trainLoss, holdoutLoss }), hp, NOW);
      hp = d.hp;
      return d;
    };
    step(1, 0.5, NaN);
    step(2, 0.5, NaN); // train: wait 1
    expect(policy.get()).toMatchObject({ monitoring: 'train', best: 0.5, wait: 1 });
    expect(step(3, 0.5, 0.9).events).toEqual([]); // would be the train's second wait; holdout starts afresh
    expect(policy.get()).toMatchObject({ monitoring: 'holdout', best: 0.9, wait: 0 });
    step(4, 0.1, 0.9);
    step(5, 0.1, NaN); // a missing holdout value is skipped, not switched back
    expect(policy.get()).toMatchObject({ monitoring: 'holdout', wait: 1 });
    const d = step(6, 0.1, 0.9);
    expect(d.events[0]).toMatchObject({ reason: 'plateau', signals: { monitor: 'holdout' } });
  });

  it('reset() forgets the best and clears wait and cooldown, as Keras _reset', () => {
    const policy = new PlateauPolicy({ patience: 3, cooldown: 5, minLr: 0 });
    run(policy, [0.2, 0.3, 0.3, 0.3, 0.3], 1); // reduced at step 4, cooldown running
    expect(policy.get().cooldownCounter).toBeGreaterThan(0);
    policy.reset();
    expect(policy.get()).toMatchObject({ best: null, wait: 0, cooldownCounter: 0, reductions: 1 });
    // now 0.3 is a new best and three more flat steps reduce again
    expect(run(policy, flat(4, 0.3), 1).eventSteps).toEqual([4]);
  });

  it('continues identically after snapshot and restore through JSON (an infinite best is stored as null)', () => {
    const settings = { patience: 4, cooldown: 3, minLr: 0 };
    const r = rng(3);
    const losses = Array.from({ length: 120 }, (_, i) => 1 / (1 + i / 20) + r() * 0.05);
    const fresh = new PlateauPolicy(settings);
    expect(JSON.parse(JSON.stringify(fresh.snapshot()))).toEqual(fresh.snapshot());
    const a = new PlateauPolicy(settings);
    const head = run(a, losses.slice(0, 60), 1e-3);
    const b = new PlateauPolicy(settings);
    b.restore(JSON.parse(JSON.stringify(a.snapshot())));
    const lr = head.lrs.at(-1) as number;
    expect(run(b, losses.slice(60), lr)).toEqual(run(a, losses.slice(60), lr));
    expect(b.get()).toEqual(a.get());
  });

  it('rejects bad settings and corrupt snapshots', () => {
    expect(() => new PlateauPolicy({ factor: 1 })).toThrow(ConfigError);
    expect(() => new PlateauPolicy({ patience: 1.5 })).toThrow(/"patience"/);
    expect(() => new PlateauPolicy({ mode: 'max' } as never)).toThrow(/mode/);
    expect(() => new PlateauPolicy().restore({ best: 1, wait: 0, cooldownCounter: 0, monitoring: 'x', reductions: 0 } as never)).toThrow(
      CheckpointError,
    );
  });
});
