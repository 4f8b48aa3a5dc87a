import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { rollingMetrics } from '../../operators/rollingMetrics.js';
import { ConfigError } from '../../src/errors.js';
import { Evaluator, type Evaluation, type SplitMetrics } from '../../src/eval/Evaluator.js';
import { scoredBatch as scored } from '../support/scoredBatch.js';

/** Numbers rounded to 12 significant digits, so float sums compare by value. */
function rounded(v: unknown): unknown {
  if (v instanceof Error) return v;
  if (typeof v === 'number') return Number.isFinite(v) ? Number(v.toPrecision(12)) : v;
  if (Array.isArray(v)) return v.map(rounded);
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, rounded(x)]));
  return v;
}

const scheduler = () => new TestScheduler((actual, expected) => expect(rounded(actual)).toEqual(rounded(expected)));

const settings = { task: 'binary' as const, classes: 2, window: 2 };
const batches = {
  a: scored([
    { y: 1, split: 'train', p: [0.75] },
    { y: 0, split: 'holdout', p: [0.25] },
  ]),
  b: scored([{ y: 0, split: 'train', p: [0.5] }]),
  w: scored([{ y: 0, split: 'train', p: [0.5, 0.5] }], 2),
};

// Expected values from the formulas, by hand.
const m = (mse: number, crossEntropy: number, accuracy: number): SplitMetrics => ({ mse, crossEntropy, accuracy });
const acc = (window: number, cumulative: number) => ({ window: { accuracy: window }, cumulative: { accuracy: cumulative } });
const afterA = m(0.25 ** 2, -Math.log(0.75), 1); // both splits: one record, off by 0.25, correct side
// Train after b: adds (0.5 - 0)^2, -log(0.5), and p = 0.5 counts as predicting 1: wrong.
const trainAfterB = m((0.25 ** 2 + 0.5 ** 2) / 2, (-Math.log(0.75) + Math.LN2) / 2, 0.5);
const x: Evaluation = {
  records: { train: 1, holdout: 1 },
  window: { train: afterA, holdout: afterA },
  cumulative: { train: afterA, holdout: afterA },
  // labels 1, 0: majority predicts 0 then 1; no-change predicts 0 then 1: all wrong.
  baselines: { majority: acc(0, 0), noChange: acc(0, 0) },
};
const y: Evaluation = {
  records: { train: 2, holdout: 1 },
  window: { train: trainAfterB, holdout: afterA },
  cumulative: { train: trainAfterB, holdout: afterA },
  // third label 0: majority (tie 1:1 -> 0) and no-change (previous 0) both hit; window of 2 = [miss, hit].
  baselines: { majority: acc(0.5, 1 / 3), noChange: acc(0.5, 1 / 3) },
};

/** The operator's input: reports carrying a batch; its output: the report with the evaluation after it. */
const reports = { a: { batch: batches.a }, b: { batch: batches.b }, w: { batch: batches.w } };
const out = { x: { batch: batches.a, evaluation: x }, y: { batch: batches.b, evaluation: y } };

describe('rollingMetrics', () => {
  it('passes each report on with the evaluation after its batch', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold('-a--b-|', reports);
      expectObservable(source.pipe(rollingMetrics(settings))).toBe('-x--y-|', out);
    });
  });

  it('gives each subscription its own evaluator', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const evaluated = cold('-a--b-|', reports).pipe(rollingMetrics(settings));
      expectObservable(evaluated).toBe('-x--y-|', out);
      expectObservable(evaluated, '---^').toBe('----x--y-|', out);
    });
  });

  it('uses and updates a given evaluator (e.g. one restored from a checkpoint)', () => {
    const state = new Evaluator(settings);
    state.update(batches.a);
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('-b|', reports).pipe(rollingMetrics(settings, state))).toBe('-y|', { y: out.y });
    });
    expect(rounded(state.get())).toEqual(rounded(y));
  });

  it('errors on a batch of the wrong width, and on bad settings at assembly', () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-w-b|', reports).pipe(rollingMetrics(settings))).toBe(
        '-x-#',
        { x: out.x },
        new RangeError('Evaluator.update: expected 1 prediction rows of width 1 (binary), got 2 values of width 2'),
      );
    });
    expect(() => rollingMetrics({ task: 'binary', classes: 2, window: -1 })).toThrow(ConfigError);
  });
});
