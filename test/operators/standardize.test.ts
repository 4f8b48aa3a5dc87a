import { describe, it, expect } from 'vitest';
import { from, lastValueFrom, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { standardize } from '../../operators/standardize.js';
import { Standardizer, type StandardizerSettings } from '../../src/stats/Standardizer.js';
import type { RoutedSample, ScaledSample, Split } from '../../src/types.js';

const sample = (index: number, split: Split, x: number[], y: number): RoutedSample => ({
  index,
  position: `test.csv:${index + 2}`,
  key: `k${index}`,
  split,
  x: Float32Array.from(x),
  y,
});

/** Two-pass population mean and std. */
function meanStd(values: readonly number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { mean, std: Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length) };
}

/**
 * Reference output for each sample, from two-pass statistics over the train samples seen so far
 * (a train sample counts itself: learn, then transform). Numbers become `expect.closeTo` matchers.
 */
function reference(samples: readonly RoutedSample[], settings: StandardizerSettings): unknown[] {
  const minStd = settings.minStd ?? 1e-8;
  const clip = settings.clip ?? Infinity;
  const seen: RoutedSample[] = [];
  return samples.map((s) => {
    if (s.split === 'train') seen.push(s);
    const z = Array.from(s.x, (v, i) => {
      if (seen.length === 0) return 0;
      const { mean, std } = meanStd(seen.map((t) => t.x[i]!));
      return std < minStd ? 0 : Math.min(clip, Math.max(-clip, (v - mean) / std));
    });
    let targetShift = 0;
    let targetScale = 1;
    if (settings.standardizeTarget && seen.length > 0) {
      const { mean, std } = meanStd(seen.map((t) => t.y));
      if (std >= minStd) [targetShift, targetScale] = [mean, std];
    }
    return {
      ...s,
      x: Array.from(s.x),
      z: z.map((v) => expect.closeTo(v, 5)),
      target: expect.closeTo((s.y - targetShift) / targetScale, 9),
      targetShift: expect.closeTo(targetShift, 9),
      targetScale: expect.closeTo(targetScale, 9),
    };
  });
}

/** Typed arrays inside values become plain arrays, so expected values can hold `closeTo` matchers. */
const plain = (value: unknown): unknown =>
  value instanceof Float32Array
    ? Array.from(value)
    : Array.isArray(value)
      ? value.map(plain)
      : value !== null && typeof value === 'object' && !('asymmetricMatch' in value)
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]))
        : value;

const testScheduler = () => new TestScheduler((actual, expected) => expect(plain(actual)).toEqual(expected));

const run = (samples: readonly RoutedSample[], op: ReturnType<typeof standardize>): Promise<ScaledSample[]> =>
  lastValueFrom(from(samples).pipe(op, toArray()));

// feature 0 varies, feature 1 is constant on train (zero variance); c is a holdout outlier
const a = sample(0, 'train', [1, 5], 10);
const b = sample(1, 'train', [3, 5], 14);
const c = sample(2, 'holdout', [40, 7], 100);
const d = sample(3, 'train', [2, 5], 12);
const e = sample(4, 'holdout', [0, 5], -3);
const stream = [a, b, c, d, e];

describe('standardize', () => {
  it('learns from train samples, then transforms; holdout only transforms (marbles)', () => {
    const settings = { dim: 2, standardizeTarget: true };
    const [ra, rb, rc, rd, re] = reference(stream, settings);
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a-b-c-d-e|', { a, b, c, d, e });
      expectObservable(source.pipe(standardize(settings))).toBe('a-b-c-d-e|', {
        a: ra,
        b: rb,
        c: rc,
        d: rd,
        e: re,
      });
      expectSubscriptions(source.subscriptions).toBe('^--------!');
    });
  });

  it('clips z to ±clip (marbles)', () => {
    const settings = { dim: 2, clip: 1.5 };
    const expected = reference(stream, settings);
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('abc|', { a, b, c }).pipe(standardize(settings))).toBe('abc|', {
        a: expected[0],
        b: expected[1],
        c: expected[2],
      });
    });
  });

  it('passes errors through (marbles)', () => {
    const settings = { dim: 2 };
    const [ra] = reference([a], settings);
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('a-#', { a }).pipe(standardize(settings))).toBe('a-#', { a: ra });
    });
  });

  it('keeps separate state per subscription (marbles, concurrent)', () => {
    const settings = { dim: 2 };
    const op = standardize(settings);
    const other: [RoutedSample, RoutedSample, RoutedSample] = [sample(10, 'train', [100, 1], 0), sample(11, 'train', [300, 2], 0), sample(12, 'holdout', [250, 3], 0)];
    const [r1, r2, r3] = reference(other, settings);
    const [ra, rb, rc] = reference([a, b, c], settings);
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('a-b-c|', { a, b, c }).pipe(op)).toBe('a-b-c|', { a: ra, b: rb, c: rc });
      expectObservable(cold('-p-q-r|', { p: other[0], q: other[1], r: other[2] }).pipe(op)).toBe('-p-q-r|', {
        p: r1,
        q: r2,
        r: r3,
      });
    });
  });

  it('gives identical results on a second subscription (fresh state)', async () => {
    const op = standardize({ dim: 2, standardizeTarget: true });
    const first = await run(stream, op);
    const second = await run(stream, op);
    expect(second).toEqual(first);
  });

  it('matches the two-pass reference on a longer random stream with target standardization', async () => {
    let seed = 12345;
    const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const samples = Array.from({ length: 300 }, (_, i) => {
      const x = [rand() * 10 - 5, 1000 + rand(), 3];
      return sample(i, rand() < 0.25 ? 'holdout' : 'train', x, 2 * x[0]! + rand());
    });
    const settings = { dim: 3, standardizeTarget: true, clip: 4 };
    const out = await run(samples, standardize(settings));
    expect(plain(out)).toEqual(reference(samples, settings));
    for (const s of out) {
      expect(Array.from(s.z).every(Number.isFinite)).toBe(true);
      expect(s.z[2]).toBe(0); // constant feature
    }
  });

  it('holdout samples never change the statistics', async () => {
    const state = new Standardizer({ dim: 2, standardizeTarget: true });
    await run([a, b], standardize(state.settings, state));
    const before = state.snapshot();
    const holdouts = [c, e, sample(9, 'holdout', [1e6, -1e6], 1e9)];
    const out = await run(holdouts, standardize(state.settings, state));
    expect(state.snapshot()).toEqual(before);
    expect(out.map((s) => s.split)).toEqual(['holdout', 'holdout', 'holdout']);
    expect(plain(out)).toEqual(reference([a, b, ...holdouts], state.settings).slice(2));
  });

  it('updates a given shared state, which the caller can snapshot', async () => {
    const state = new Standardizer({ dim: 2 });
    await run(stream, standardize({ dim: 2 }, state));
    const train = stream.filter((s) => s.split === 'train');
    expect(state.count).toBe(train.length);
    expect(state.mean(0)).toBeCloseTo(meanStd(train.map((s) => s.x[0]!)).mean, 6);
    const snap = state.snapshot();
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
  });

  it('without target standardization: target = y, shift 0, scale 1', async () => {
    const out = await run(stream, standardize({ dim: 2 }));
    for (const [i, s] of out.entries()) {
      expect(s.target).toBe(stream[i]!.y);
      expect([s.targetShift, s.targetScale]).toEqual([0, 1]);
    }
  });

  it('zero-variance features give 0, not NaN, even on the first sample', async () => {
    const out = await run(
      [sample(0, 'holdout', [3, 3], 1), sample(1, 'train', [3, 3], 1), sample(2, 'train', [3, 3], 1)],
      standardize({ dim: 2, standardizeTarget: true }),
    );
    for (const s of out) {
      expect(Array.from(s.z)).toEqual([0, 0]);
      expect(s.target).toBe(1); // constant target: shift 0, scale 1
    }
  });

  it('keeps every input field', async () => {
    const [out] = await run([a], standardize({ dim: 2 }));
    expect(out).toMatchObject({ index: a.index, position: a.position, key: a.key, split: a.split, y: a.y });
    expect(out!.x).toEqual(a.x);
  });
});
