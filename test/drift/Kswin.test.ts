import { describe, expect, it } from 'vitest';
import { Kswin } from '../../src/drift/Kswin.js';
import { ksTwoSample } from '../../src/drift/ksTwoSample.js';
import { ConfigError } from '../../src/errors.js';
import { describeDetectorContract, detections } from './detectorContract.js';
import { gaussianStream } from './driftStreams.js';

const shifted = gaussianStream(8, [
  { length: 2000, from: 0 },
  { length: 1000, from: 1.5 },
]);

describeDetectorContract('Kswin', {
  make: () => new Kswin({ alpha: 0.0001, seed: 42 }),
  shifted,
  shiftAt: 2000,
  maxDelay: 60,
  constant: 5,
});

describe('Kswin', () => {
  it("has River's defaults", () => {
    expect(new Kswin().settings).toMatchObject({ alpha: 0.005, windowSize: 100, statSize: 30 });
    expect(new Kswin().settings.seed).toBeUndefined();
  });

  it('tests only once the window is full', () => {
    const k = new Kswin({ seed: 1 });
    for (let i = 0; i < 99; i++) k.update(i < 70 ? 0 : 100);
    expect(k.stats()).toMatchObject({ n: 99, windowLength: 99, pValue: 0 });
    k.update(100);
    // The 30 most recent are all 100 and the sample of the 70 older ones is all 0: D = 1.
    expect(k.driftDetected).toBe(true);
    expect(k.stats().statistic).toBe(1);
    expect(k.stats().pValue).toBeCloseTo(ksTwoSample(Array<number>(30).fill(0), Array<number>(30).fill(1)).pValue, 15);
  });

  it('starts from an initial window', () => {
    const k = new Kswin({ seed: 1, window: Array<number>(100).fill(0) });
    k.update(0);
    expect(k.stats()).toMatchObject({ n: 1, windowLength: 100, pValue: 1 });
    k.reset();
    expect(k.stats().windowLength).toBe(100);
  });

  it('is deterministic for a seed, and the seed changes which values are compared', () => {
    const xs = gaussianStream(9, [
      { length: 1500, from: 0 },
      { length: 1500, from: 0.4 },
    ]);
    const run = (seed: number) => {
      const k = new Kswin({ seed, alpha: 0.01 });
      return xs.map((x) => (k.update(x), k.stats().pValue));
    };
    expect(run(3)).toEqual(run(3));
    expect(run(3)).not.toEqual(run(4));
  });

  it('works without a seed', () => {
    expect(detections(new Kswin({ alpha: 0.0001 }), shifted).some((i) => i >= 2000 && i < 2060)).toBe(true);
  });

  it('refuses bad settings with a ConfigError naming the field', () => {
    expect(() => new Kswin({ alpha: -0.1 })).toThrow(/alpha/);
    expect(() => new Kswin({ windowSize: 50, statSize: 30 })).toThrow(/windowSize/);
    expect(() => new Kswin({ seed: -1 })).toThrow(ConfigError);
    expect(() => new Kswin({ window: [1, NaN] })).toThrow(/window/);
  });
});
