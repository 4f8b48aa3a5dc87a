import { describe, expect, it } from 'vitest';
import { CheckpointError, ConfigError } from '../../src/errors.js';
import { Evaluator, type Evaluation } from '../../src/eval/Evaluator.js';
import type { Split } from '../../src/types.js';
import { mulberry32 as rng } from '../../src/stats/prng.js';
import { scoredBatch as scored } from '../support/scoredBatch.js';

interface Row {
  y: number;
  split: Split;
  p: number[];
}

/** Random rows; predictions are rounded to float32 so the references see what the evaluator sees. */
function stream(seed: number, n: number, task: 'binary' | 'multiclass' | 'regression', classes = 3): Row[] {
  const r = rng(seed);
  const f32 = (v: number) => Math.fround(v);
  return Array.from({ length: n }, (): Row => {
    const split: Split = r() < 0.3 ? 'holdout' : 'train';
    if (task === 'binary') return { y: r() < 0.6 ? 1 : 0, split, p: [f32(r())] };
    if (task === 'regression') return { y: 10 * r() - 5, split, p: [f32(10 * r() - 5)] };
    const raw = Array.from({ length: classes }, () => r());
    const z = raw.reduce((a, b) => a + b, 0);
    return { y: Math.floor(r() * classes), split, p: raw.map((v) => f32(v / z)) };
  });
}

// Independent per-record formulas.
const EPS = 1e-7;
const clip = (q: number) => Math.min(Math.max(q, EPS), 1 - EPS);
const onehot = (y: number, k: number) => (k === y ? 1 : 0);
const sqErr = (y: number, p: number[]) =>
  p.length === 1 ? ((p[0] as number) - y) ** 2 : p.reduce((s, q, k) => s + (q - onehot(y, k)) ** 2, 0) / p.length;
const crossEntropy = (y: number, p: number[]) =>
  p.length === 1
    ? -(y * Math.log(clip(p[0] as number)) + (1 - y) * Math.log(1 - clip(p[0] as number)))
    : -Math.log(clip(p[y] as number));
const argmax = (p: number[]) => p.indexOf(Math.max(...p));
const correct = (y: number, p: number[]) => (p.length === 1 ? ((p[0] as number) >= 0.5 ? 1 : 0) === y : argmax(p) === y) ? 1 : 0;
const mean = (xs: number[]) => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);

function expectClose(actual: number | undefined, expected: number): void {
  if (Number.isNaN(expected)) expect(actual).toBeNaN();
  else expect(actual).toBeCloseTo(expected, 9);
}

function feed(ev: Evaluator, rows: Row[], width: number, batchSize: number): void {
  for (let i = 0; i < rows.length; i += batchSize) ev.update(scored(rows.slice(i, i + batchSize), width));
}

describe('Evaluator', () => {
  it.each([
    { task: 'binary' as const, width: 1, classes: 2 },
    { task: 'multiclass' as const, width: 3, classes: 3 },
  ])('$task: window and cumulative metrics per split, baselines over both splits', ({ task, width, classes }) => {
    const window = 9;
    const rows = stream(task === 'binary' ? 1 : 2, 103, task, classes);
    const ev = new Evaluator({ task, classes, window });
    feed(ev, rows, width, 8);
    const got = ev.get();

    for (const split of ['train', 'holdout'] as const) {
      const mine = rows.filter((r) => r.split === split);
      expect(got.records[split]).toBe(mine.length);
      const last = mine.slice(-window);
      for (const [part, items] of [
        ['window', last],
        ['cumulative', mine],
      ] as const) {
        const m = got[part][split];
        expectClose(m.mse, mean(items.map((r) => sqErr(r.y, r.p))));
        expectClose(m.crossEntropy, mean(items.map((r) => crossEntropy(r.y, r.p))));
        expectClose(m.accuracy, mean(items.map((r) => correct(r.y, r.p))));
      }
    }

    // Baselines: prequential over all rows in stream order, independent of the split.
    const counts = new Array<number>(classes).fill(0);
    const majorityHits: number[] = [];
    const noChangeHits: number[] = [];
    rows.forEach((r, i) => {
      const majority = counts.indexOf(Math.max(...counts)); // first index among ties
      majorityHits.push(majority === r.y ? 1 : 0);
      const previous = i === 0 ? 0 : (rows[i - 1] as Row).y;
      noChangeHits.push(previous === r.y ? 1 : 0);
      counts[r.y] = (counts[r.y] as number) + 1;
    });
    expectClose(got.baselines.majority?.window.accuracy, mean(majorityHits.slice(-window)));
    expectClose(got.baselines.majority?.cumulative.accuracy, mean(majorityHits));
    expectClose(got.baselines.noChange?.window.accuracy, mean(noChangeHits.slice(-window)));
    expectClose(got.baselines.noChange?.cumulative.accuracy, mean(noChangeHits));
    expect(got.baselines.mean).toBeUndefined();
  });

  it('regression: MSE only, and the running-mean baseline', () => {
    const window = 6;
    const rows = stream(3, 50, 'regression');
    const ev = new Evaluator({ task: 'regression', classes: 1, window });
    feed(ev, rows, 1, 5);
    const got = ev.get();
    for (const split of ['train', 'holdout'] as const) {
      const mine = rows.filter((r) => r.split === split);
      expect(Object.keys(got.window[split])).toEqual(['mse']);
      expect(Object.keys(got.cumulative[split])).toEqual(['mse']);
      expectClose(got.window[split].mse, mean(mine.slice(-window).map((r) => sqErr(r.y, r.p))));
      expectClose(got.cumulative[split].mse, mean(mine.map((r) => sqErr(r.y, r.p))));
    }
    const errors = rows.map((r, i) => (r.y - (i === 0 ? 0 : mean(rows.slice(0, i).map((s) => s.y)))) ** 2);
    expectClose(got.baselines.mean?.window.mse, mean(errors.slice(-window)));
    expectClose(got.baselines.mean?.cumulative.mse, mean(errors));
    expect(got.baselines.majority).toBeUndefined();
    expect(got.baselines.noChange).toBeUndefined();
  });

  it('keeps splits apart: an empty split stays NaN while baselines still score every record', () => {
    const ev = new Evaluator({ task: 'binary', classes: 2 });
    expect(ev.settings.window).toBe(1000);
    ev.update(
      scored(
        [
          { y: 1, split: 'holdout', p: [0.75] },
          { y: 1, split: 'holdout', p: [0.25] },
        ],
        1,
      ),
    );
    const got = ev.get();
    expect(got.records).toEqual({ train: 0, holdout: 2 });
    for (const v of Object.values(got.window.train)) expect(v).toBeNaN();
    for (const v of Object.values(got.cumulative.train)) expect(v).toBeNaN();
    expect(got.window.holdout.mse).toBeCloseTo((0.25 ** 2 + 0.75 ** 2) / 2, 12);
    expect(got.window.holdout.accuracy).toBe(0.5);
    // Majority predicts 0 then 1; no-change predicts 0 then 1: both hit 1 of 2.
    expect(got.baselines.majority?.cumulative.accuracy).toBe(0.5);
    expect(got.baselines.noChange?.cumulative.accuracy).toBe(0.5);
  });

  it('an empty evaluator reports NaN everywhere and zero records', () => {
    const got = new Evaluator({ task: 'multiclass', classes: 4, window: 3 }).get();
    expect(got.records).toEqual({ train: 0, holdout: 0 });
    const leaves = (o: unknown): unknown[] => (typeof o === 'object' && o !== null ? Object.values(o).flatMap(leaves) : [o]);
    const values = leaves({ window: got.window, cumulative: got.cumulative, baselines: got.baselines });
    expect(values).toHaveLength(2 * 2 * 3 + 2 * 2); // 3 metrics x 2 splits x 2 parts + 2 baselines x 2 parts
    for (const v of values) expect(v).toBeNaN();
  });

  it('snapshot -> JSON -> restore continues identically', () => {
    const rows = stream(4, 80, 'multiclass', 3);
    const a = new Evaluator({ task: 'multiclass', classes: 3, window: 7 });
    feed(a, rows.slice(0, 37), 3, 6);
    const b = new Evaluator({ task: 'multiclass', classes: 3, window: 7 });
    b.restore(JSON.parse(JSON.stringify(a.snapshot())));
    expect(b.get()).toEqual(a.get());
    for (let i = 37; i < rows.length; i += 6) {
      const batch = scored(rows.slice(i, i + 6), 3);
      a.update(batch);
      b.update(batch);
      expect(b.get()).toEqual<Evaluation>(a.get());
    }
  });

  it('a corrupt snapshot throws and leaves the evaluator as it was', () => {
    const ev = new Evaluator({ task: 'binary', classes: 2, window: 4 });
    feed(ev, stream(5, 10, 'binary'), 1, 3);
    const before = ev.get();
    const snap = JSON.parse(JSON.stringify(ev.snapshot()));
    delete snap.baselines.noChange;
    expect(() => ev.restore(snap)).toThrow(CheckpointError);
    expect(ev.get()).toEqual(before);
    const regression = new Evaluator({ task: 'regression', classes: 1 }).snapshot();
    expect(() => ev.restore(regression)).toThrow(CheckpointError);
  });

  it('rejects bad settings and batches of the wrong width', () => {
    expect(() => new Evaluator({ task: 'binary', classes: 2, window: 0 })).toThrow(ConfigError);
    expect(() => new Evaluator({ task: 'multiclass', classes: 1 })).toThrow(ConfigError);
    const ev = new Evaluator({ task: 'multiclass', classes: 3 });
    expect(() => ev.update(scored([{ y: 0, split: 'train', p: [0.5] }], 1))).toThrow(RangeError);
  });
});
