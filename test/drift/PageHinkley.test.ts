import { describe, expect, it } from 'vitest';
import { PageHinkley } from '../../src/drift/PageHinkley.js';
import { ConfigError } from '../../src/errors.js';
import { describeDetectorContract, detections } from './detectorContract.js';
import { gaussianStream } from './driftStreams.js';

describeDetectorContract('PageHinkley', {
  make: () => new PageHinkley(),
  shifted: gaussianStream(1, [
    { length: 2000, from: 0 },
    { length: 1000, from: 2 },
  ], 0.5),
  shiftAt: 2000,
  maxDelay: 60,
  constant: 3.7,
});

/**
 * Closed form for `t0` zeros followed by ones: after k ones the running mean is k / (t0 + k), so
 * the k-th deviation is t0 / (t0 + k); before the step every deviation is 0.
 */
function stepDetection(t0: number, alpha: number, delta: number, threshold: number): number {
  let up = 0;
  let min = Infinity;
  for (let i = 0; i < t0; i++) {
    up = alpha * up - delta;
    min = Math.min(min, up);
  }
  for (let k = 1; ; k++) {
    up = alpha * up + t0 / (t0 + k) - delta;
    if (up - min > threshold) return t0 + k - 1;
  }
}

describe('PageHinkley', () => {
  it("has River's defaults", () => {
    expect(new PageHinkley().settings).toEqual({ minInstances: 30, delta: 0.005, threshold: 50, alpha: 1 - 0.0001, mode: 'both' });
  });

  it('detects a 0 -> 1 step where the closed-form cumulative sum crosses the threshold', () => {
    for (const [t0, threshold] of [
      [200, 50],
      [100, 20],
      [1000, 10],
    ] as const) {
      const xs = [...Array<number>(t0).fill(0), ...Array<number>(500).fill(1)];
      const expected = stepDetection(t0, 1 - 0.0001, 0.005, threshold);
      expect(detections(new PageHinkley({ threshold }), xs)[0]).toBe(expected);
    }
  });

  it('watches increases, decreases or both as `mode` says', () => {
    const up = [...Array<number>(300).fill(0), ...Array<number>(300).fill(5)];
    const down = up.map((x) => -x);
    const found = (mode: 'up' | 'down' | 'both', xs: number[]) => detections(new PageHinkley({ mode }), xs).length > 0;
    expect([found('up', up), found('down', up), found('both', up)]).toEqual([true, false, true]);
    expect([found('up', down), found('down', down), found('both', down)]).toEqual([false, true, true]);
  });

  it('never detects before minInstances updates', () => {
    const xs = [0, 0, 0, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000];
    expect(detections(new PageHinkley({ minInstances: 10 }), xs)).toEqual([9]);
  });

  it('reports the running mean and the cumulative sums', () => {
    const xs = gaussianStream(3, [{ length: 500, from: 1 }]);
    const ph = new PageHinkley({ alpha: 1, delta: 0 });
    xs.forEach((x) => ph.update(x));
    const stats = ph.stats();
    expect(stats.n).toBe(500);
    expect(stats.mean).toBeCloseTo(xs.reduce((a, b) => a + b, 0) / xs.length, 12);
    // Without fading nor delta, both sums are the sum of deviations from each running mean.
    let mean = 0;
    const devSum = xs.reduce((s, x, i) => {
      mean += (x - mean) / (i + 1);
      return s + x - mean;
    }, 0);
    expect(stats.sumIncrease).toBeCloseTo(devSum, 9);
    expect(stats.sumDecrease).toBeCloseTo(devSum, 9);
    expect(stats.testIncrease).toBeGreaterThanOrEqual(0);
    expect(stats.testDecrease).toBeGreaterThanOrEqual(0);
  });

  it('refuses bad settings with a ConfigError naming the field', () => {
    expect(() => new PageHinkley({ minInstances: -1 })).toThrow(/minInstances/);
    expect(() => new PageHinkley({ alpha: 1.5 })).toThrow(ConfigError);
    expect(() => new PageHinkley({ mode: 'sideways' as 'up' })).toThrow(/mode/);
    expect(() => new PageHinkley({ threshold: NaN })).toThrow(/threshold/);
  });
});
