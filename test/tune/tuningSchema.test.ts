import { describe, it, expect } from 'vitest';
import { Tuner } from '../../src/tune/Tuner.js';
import { tuningSchema } from '../../src/tune/tuningSchema.js';

const messages = (input: unknown): string[] => {
  const r = tuningSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.code}`);
};

describe('tuningSchema', () => {
  it('fills every default from an empty section', () => {
    expect(tuningSchema.parse({})).toEqual({
      enabled: true,
      divergence: { spikeFactor: 10, warmupBatches: 20, alpha: 0.1, factor: 0.5, minLr: 1e-6, cooldownBatches: 20 },
      drift: { factor: 3, maxLr: 0.01, decayBatches: 200, cooldownBatches: 50, resetMoments: false },
      plateau: false,
      gap: { mode: 'abs', gapThreshold: 0.05, smallGap: 0.01, patience: 100, cooldown: 200, factor: 2, minL2: 1e-6, maxL2: 0.1 },
      population: {
        size: 4,
        interval: 1000,
        halfLife: 200,
        replace: 0.25,
        margin: 0.1,
        perturb: 2,
        learningRate: [1e-4, 0.05],
        l2: [0, 0.01],
        batchSizes: [1, 8],
        widenOnDrift: true,
        blend: false,
        seed: 0,
      },
    });
  });

  it('turns plateau on with true, with its defaults', () => {
    expect(tuningSchema.parse({ plateau: true }).plateau).toEqual({
      factor: 0.5,
      patience: 50,
      cooldown: 20,
      minLr: 1e-5,
      threshold: 1e-4,
      minDelta: 0,
      monitor: 'auto',
    });
  });

  it('disables a policy with false, takes true as its defaults, and merges given keys with the defaults', () => {
    const t = tuningSchema.parse({ gap: false, drift: true, plateau: { patience: 7 } });
    expect(t.gap).toBe(false);
    expect(t.drift).toEqual(tuningSchema.parse({}).drift);
    expect(t.plateau).toMatchObject({ patience: 7, cooldown: 20 });
  });

  it('rejects unknown keys and bad values, by path', () => {
    expect(messages({ enable: true })).toEqual([': unrecognized_keys']);
    expect(messages({ drift: { facter: 3 } })).toEqual(['drift: unrecognized_keys']);
    expect(messages({ drift: { factor: 'x' } })).toEqual(['drift.factor: invalid_type']);
    expect(messages({ drift: { forgetting: { halfLife: 100 } } })).toEqual(['drift.forgetting.batches: invalid_type']);
    expect(messages({ plateau: null })).toEqual(['plateau: invalid_type']);
    expect(messages({ gap: { highLoss: 1, smallGap: 0.1 } })).toEqual(['gap.smallGap: custom']);
    expect(messages({ minL2: 1, maxL2: 0.5 })).toEqual(['minL2: custom']);
  });

  it('produces settings the Tuner takes as they are', () => {
    const settings = tuningSchema.parse({ maxLr: 0.005, drift: { forgetting: { halfLife: 1000, batches: 50 } } });
    expect(new Tuner(settings).settings).toEqual(settings);
  });
});
