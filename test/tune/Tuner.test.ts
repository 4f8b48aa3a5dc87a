import { describe, it, expect } from 'vitest';
import { CheckpointError, ConfigError } from '../../src/errors.js';
import { Tuner } from '../../src/tune/Tuner.js';
import type { TuningDecision } from '../../src/tune/TuningDecision.js';
import type { TuningEvent } from '../../src/tune/TuningEvent.js';
import type { TuningSignals } from '../../src/tune/TuningSignals.js';
import type { TunerSettingsInput } from '../../src/tune/tuningSchema.js';
import type { HyperParams } from '../../src/types.js';
import { NOW, relErr, rng, signals } from './signals.js';

const drift = { detector: 'pageHinkley', signal: 'drift' };
const hp0: HyperParams = { learningRate: 1e-3, l2: 1e-3 };

/** Runs the tuner over signals, feeding back its hp; returns every decision. */
function run(tuner: Tuner, script: readonly TuningSignals[], hp = hp0): TuningDecision[] {
  return script.map((s) => {
    const d = tuner.decide(s, hp, NOW);
    hp = d.hp;
    return d;
  });
}

/** Signals for steps 1..n, with overrides by step. */
function script(n: number, at: (b: number) => Partial<TuningSignals> = () => ({})): TuningSignals[] {
  return Array.from({ length: n }, (_, i) => signals(i + 1, at(i + 1)));
}

const reasonsAt = (ds: readonly TuningDecision[]) =>
  ds.flatMap((d, i) => d.events.map((e: TuningEvent) => `${e.reason}@${i + 1}`));

describe('Tuner', () => {
  it('disabled: returns the hp unchanged, no events or actions, and its state does not move', () => {
    const tuner = new Tuner({ enabled: false });
    const ds = run(tuner, script(30, (b) => (b === 3 ? { drift } : b === 5 ? { batchLoss: NaN, applied: false } : { holdoutLoss: 1 })));
    for (const d of ds) {
      expect(d.hp).toBe(hp0);
      expect(d.events).toEqual([]);
      expect(d.actions).toEqual([]);
    }
    expect(tuner.get()).toEqual(new Tuner({ enabled: false }).get());
  });

  it('runs divergence, drift and gap by default, plateau only when asked, and none that is set to false', () => {
    const defaults = new Tuner().get();
    expect(defaults.plateau).toBeNull();
    expect([defaults.divergence, defaults.drift, defaults.gap].every((s) => s !== null)).toBe(true);
    expect(new Tuner({ plateau: true }).get().plateau).not.toBeNull();
    const none = new Tuner({ divergence: false, drift: false, plateau: false, gap: false });
    expect(none.get()).toEqual({ divergence: null, drift: null, plateau: null, gap: null });
    const d = none.decide(signals(1, { drift, applied: false }), hp0, NOW);
    expect(d).toEqual({ hp: hp0, events: [], actions: [] });
  });

  it('gives a divergence step to the divergence alone: a drift in it is dropped and gap does not count it', () => {
    const tuner = new Tuner({ plateau: false, gap: { patience: 3, cooldown: 0 } });
    const overfit = { trainLoss: 0.3, holdoutLoss: 0.5 };
    const ds = run(
      tuner,
      script(4, (b) => (b === 3 ? { ...overfit, drift, batchLoss: NaN, applied: false } : overfit)),
    );
    expect(ds[2]?.events.map((e) => `${e.reason}:${e.param}`)).toEqual(['divergence:weights', 'divergence:learningRate']);
    expect(ds[2]?.actions).toEqual([{ type: 'restore_weights' }]);
    expect(tuner.get().drift).toMatchObject({ accepted: 0, ignored: 0 });
    expect(reasonsAt(ds)).toEqual(['divergence@3', 'divergence@3', 'overfit@4']); // steps 1, 2 and 4 make the patience
  });

  it('suspends plateau during a drift boost and restarts it afresh afterwards', () => {
    const settings: TunerSettingsInput = {
      drift: { factor: 3, maxLr: 1, decayBatches: 10, cooldownBatches: 0 },
      plateau: { patience: 5, cooldown: 0, minLr: 0 },
      gap: false,
    };
    // without a drift, a flat loss reduces at step 6 (best at 1, waits 1..5 at steps 2..6)
    expect(reasonsAt(run(new Tuner(settings), script(8)))).toEqual(['plateau@6']);
    // a drift at step 3 owns the lr until its decay closes at step 13; plateau starts over at 14
    // (new best) and reduces at 19
    const ds = run(new Tuner(settings), script(22, (b) => (b === 3 ? { drift } : {})));
    expect(reasonsAt(ds)).toEqual(['drift@3', 'drift_decay@13', 'plateau@19']);
    expect(ds[12]?.hp.learningRate).toBe(1e-3);
    expect(ds[18]?.hp.learningRate).toBe(5e-4);
    for (let b = 4; b < 13; b++) expect(relErr(ds[b - 1]?.hp.learningRate as number, 1e-3 * 3 ** (1 - (b - 3) / 10))).toBeLessThan(1e-12);
  });

  it('keeps a divergence cut during a drift boost: the decay continues from the cut level', () => {
    const tuner = new Tuner({ drift: { factor: 3, maxLr: 1, decayBatches: 10 }, plateau: false, gap: false });
    const ds = run(tuner, script(12, (b) => (b === 1 ? { drift } : b === 5 ? { batchLoss: NaN, applied: false } : {})));
    const l4 = 1e-3 * 3 ** (1 - 3 / 10);
    expect(relErr(ds[3]?.hp.learningRate as number, l4)).toBeLessThan(1e-12);
    expect(relErr(ds[4]?.hp.learningRate as number, l4 / 2)).toBeLessThan(1e-12);
    expect(relErr(ds[5]?.hp.learningRate as number, 5e-4 * 3 ** (1 - 5 / 10))).toBeLessThan(1e-12);
    expect(ds[10]?.hp.learningRate).toBe(5e-4);
    expect(reasonsAt(ds)).toEqual(['drift@1', 'divergence@5', 'divergence@5', 'drift_decay@11']);
  });

  it('restarts gap patience on an accepted drift', () => {
    const overfit = { trainLoss: 0.3, holdoutLoss: 0.5 };
    const settings: TunerSettingsInput = { plateau: false, gap: { patience: 3, cooldown: 0 } };
    expect(reasonsAt(run(new Tuner(settings), script(4, () => overfit)))).toEqual(['overfit@3']);
    const ds = run(new Tuner(settings), script(4, (b) => (b === 2 ? { ...overfit, drift } : overfit)));
    expect(reasonsAt(ds).filter((r) => r.startsWith('overfit'))).toEqual(['overfit@4']);
  });

  it('tightens every policy bound with the global bounds', () => {
    const tuner = new Tuner({
      maxLr: 0.002,
      minLr: 4e-4,
      minL2: 1e-3,
      maxL2: 3e-3,
      divergence: false,
      plateau: { patience: 1, cooldown: 0 },
      gap: { patience: 1, cooldown: 0 },
    });
    const ds = run(tuner, script(6, () => ({ trainLoss: 0.3, holdoutLoss: 0.5 })));
    expect(ds.map((d) => d.hp)).toEqual([
      { learningRate: 1e-3, l2: 2e-3 },
      { learningRate: 5e-4, l2: 3e-3 },
      { learningRate: 4e-4, l2: 3e-3 },
      { learningRate: 4e-4, l2: 3e-3 },
      { learningRate: 4e-4, l2: 3e-3 },
      { learningRate: 4e-4, l2: 3e-3 },
    ]);
    expect(new Tuner({ maxLr: 0.002 }).decide(signals(1, { drift }), hp0, NOW).hp.learningRate).toBe(0.002);
  });

  it('never changes the lr by two policies in one step, and continues identically after snapshot and restore', () => {
    const settings: TunerSettingsInput = {
      divergence: { warmupBatches: 10, cooldownBatches: 5 },
      drift: { decayBatches: 40, cooldownBatches: 30, resetMoments: true },
      plateau: { patience: 15, cooldown: 5 },
      gap: { patience: 10, cooldown: 30, highLoss: 0.45 },
    };
    const r = rng(21);
    const steps = script(600, (b) => {
      const level = b < 200 ? 0.4 : b < 400 ? 0.6 : 0.5;
      const trainLoss = level + r() * 0.02;
      return {
        drift: b === 200 || b === 215 || b === 400 ? drift : null,
        trainLoss,
        holdoutLoss: trainLoss + (b < 300 ? 0.1 : 0) + r() * 0.005,
        batchLoss: b % 97 === 0 ? NaN : b % 151 === 0 ? 40 : trainLoss + r() * 0.1,
        applied: b % 97 !== 0,
      };
    });
    const a = new Tuner(settings);
    const head = run(a, steps.slice(0, 300));
    const b = new Tuner(settings);
    b.restore(JSON.parse(JSON.stringify(a.snapshot())));
    const hp = head.at(-1)?.hp;
    const tailA = run(a, steps.slice(300), hp);
    const tailB = run(b, steps.slice(300), hp);
    expect(tailB).toEqual(tailA);
    expect(b.get()).toEqual(a.get());
    const all = [...head, ...tailA];
    expect(new Set(all.flatMap((d) => d.events.map((e) => e.reason)))).toEqual(
      new Set(['divergence', 'drift', 'drift_decay', 'plateau', 'overfit', 'underfit']),
    );
    expect(a.get().drift?.ignored).toBe(1); // the drift at 215 came within the cooldown
    for (const d of all) expect(new Set(d.events.filter((e) => e.param === 'learningRate').map((e) => e.reason)).size).toBeLessThanOrEqual(1);
  });

  it('restore throws on a missing or corrupt policy state and leaves the tuner as it was', () => {
    const tuner = new Tuner({ plateau: true });
    run(tuner, script(30));
    const before = tuner.get();
    const snap = tuner.snapshot();
    expect(() => tuner.restore({ ...snap, gap: null })).toThrow(CheckpointError);
    expect(() => tuner.restore({ ...snap, plateau: { ...snap.plateau, wait: -1 } } as never)).toThrow(CheckpointError);
    expect(tuner.get()).toEqual(before);
    new Tuner({ gap: false }).restore({ ...snap, gap: null }); // a disabled policy needs no state
  });

  it('rejects bad settings, naming the field', () => {
    expect(() => new Tuner({ drift: { factor: 0 } })).toThrow(ConfigError);
    expect(() => new Tuner({ plateau: { patiense: 3 } } as never)).toThrow(/patiense/);
    expect(() => new Tuner({ minLr: 1, maxLr: 0.1 })).toThrow(/"minLr"/);
  });
});
