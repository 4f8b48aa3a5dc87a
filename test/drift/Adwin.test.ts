import { describe, expect, it } from 'vitest';
import { Adwin, type AdwinSnapshot } from '../../src/drift/Adwin.js';
import { ConfigError } from '../../src/errors.js';
import { describeDetectorContract, detections } from './detectorContract.js';
import { bernoulliStream, gaussianStream } from './driftStreams.js';

const shifted = gaussianStream(2, [
  { length: 3000, from: 0 },
  { length: 1000, from: 1 },
]);

describeDetectorContract('Adwin', {
  make: () => new Adwin(),
  shifted,
  shiftAt: 3000,
  maxDelay: 200,
  constant: 0.25,
});

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

describe('Adwin', () => {
  it("has River's defaults", () => {
    expect(new Adwin().settings).toEqual({ delta: 0.002, clock: 32, maxBuckets: 5, minWindowLength: 5, gracePeriod: 10 });
  });

  it('keeps the whole stream while nothing changes: width, mean and variance of a two-pass computation', () => {
    const xs = gaussianStream(5, [{ length: 3000, from: 4 }], 2);
    const adwin = new Adwin();
    expect(detections(adwin, xs)).toEqual([]);
    const mean = sum(xs) / xs.length;
    const variance = sum(xs.map((x) => (x - mean) ** 2)) / xs.length;
    const stats = adwin.stats();
    expect(stats.width).toBe(3000);
    expect(stats.mean).toBeCloseTo(mean, 10);
    expect(stats.variance).toBeCloseTo(variance, 8);
  });

  it('keeps an exponential histogram: at most maxBuckets buckets of 2^i values per row, adding up to the width', () => {
    for (const maxBuckets of [1, 2, 5]) {
      const adwin = new Adwin({ maxBuckets });
      for (let n = 1; n <= 700; n++) {
        adwin.update(n % 7);
        const { rows, width, total } = adwin.snapshot();
        expect(rows.every((r) => r.totals.length <= maxBuckets)).toBe(true);
        expect(sum(rows.map((r, i) => r.totals.length * 2 ** i))).toBe(width);
        expect(sum(rows.flatMap((r) => r.totals))).toBeCloseTo(total, 9);
      }
      // Far fewer buckets than values: O(maxBuckets * log(width)).
      expect(adwin.stats().buckets).toBeLessThanOrEqual(maxBuckets * Math.ceil(Math.log2(700) + 1));
    }
  });

  it('on a detection drops the oldest values: the window is then the most recent `width` values', () => {
    const adwin = new Adwin();
    const seen: number[] = [];
    let checked = 0;
    for (const x of bernoulliStream(6, [
      { length: 2000, from: 0.1 },
      { length: 2000, from: 0.6 },
      { length: 2000, from: 0.2 },
    ])) {
      if (adwin.driftDetected) seen.length = 0; // River starts a new window after a detection
      adwin.update(x);
      seen.push(x);
      if (adwin.driftDetected) {
        const { width, total } = adwin.snapshot();
        expect(width).toBeLessThan(seen.length);
        expect(total).toBeCloseTo(sum(seen.slice(seen.length - width)), 9);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(2);
  });

  it('checks for changes only every `clock` updates, once the window is past the grace period', () => {
    const xs = [...Array<number>(200).fill(0), ...Array<number>(200).fill(1)];
    for (const clock of [1, 8, 32]) {
      const found = detections(new Adwin({ clock }), xs);
      expect(found.length).toBeGreaterThan(0);
      for (const i of found) expect((i + 1) % clock).toBe(0);
    }
    expect(detections(new Adwin({ clock: 1, gracePeriod: 1000 }), xs)).toEqual([]);
  });

  it('a smaller delta asks for more evidence: it never detects sooner', () => {
    const first = (delta: number) => detections(new Adwin({ delta, clock: 1 }), shifted)[0] as number;
    expect(first(0.0001)).toBeGreaterThanOrEqual(first(0.002));
    expect(first(0.002)).toBeGreaterThanOrEqual(first(0.1));
  });

  it('refuses a snapshot whose buckets do not add up to its width', () => {
    const adwin = new Adwin();
    for (let i = 0; i < 50; i++) adwin.update(i % 3);
    const snap = adwin.snapshot();
    expect(() => adwin.restore({ ...snap, width: snap.width + 1 })).toThrow(/width/);
    const tooMany: AdwinSnapshot = { ...snap, rows: [{ totals: [1, 1, 1, 1, 1, 1], variances: [0, 0, 0, 0, 0, 0] }], width: 6 };
    expect(() => adwin.restore(tooMany)).toThrow(/rows/);
  });

  it('refuses bad settings with a ConfigError naming the field', () => {
    expect(() => new Adwin({ delta: 0 })).toThrow(/delta/);
    expect(() => new Adwin({ clock: 0 })).toThrow(ConfigError);
    expect(() => new Adwin({ maxBuckets: 2.5 })).toThrow(/maxBuckets/);
    expect(() => new Adwin({ gracePeriod: -1 })).toThrow(/gracePeriod/);
  });
});
