import * as tf from '@tensorflow/tfjs';
import { lastValueFrom, of, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { trainStep, type TrainerLike } from '../../operators/trainStep.js';
import { ModelError } from '../../src/errors.js';
import { Trainer } from '../../src/model/Trainer.js';
import type { HyperParams, ScaledSample, ScoredBatch, Split, Task } from '../../src/types.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

let nextIndex = 0;
function sample(split: Split, z: number[], target: number, shift = 0, scale = 1): ScaledSample {
  const index = nextIndex++;
  return {
    index,
    position: `test:${index + 1}`,
    x: Float32Array.from(z),
    y: target * scale + shift,
    split,
    z: Float32Array.from(z),
    target,
    targetShift: shift,
    targetScale: scale,
  };
}

/**
 * A fake trainer of the given width: output j of a row is `sum(z) + 10 * j` from predict and
 * `sum(z) + 10 * j + 1000` from step, so the tests can tell which path scored a row and where it went.
 * It logs every call with the hyperparameters in force.
 */
function fakeTrainer(task: Task, width: number, inputDim = 2) {
  const calls: string[] = [];
  const rows = (x: Float32Array, n: number, offset: number): Float32Array => {
    const out = new Float32Array(n * width);
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let d = 0; d < inputDim; d++) sum += x[i * inputDim + d]!;
      for (let j = 0; j < width; j++) out[i * width + j] = sum + 10 * j + offset;
    }
    return out;
  };
  const trainer: TrainerLike = {
    task,
    inputDim,
    width,
    learningRate: 0,
    l2: 0,
    step(x, target, n) {
      calls.push(`step n=${n} targets=${Array.from(target)} lr=${this.learningRate} l2=${this.l2}`);
      return { loss: n / 10, predictions: rows(x, n, 1000), applied: n !== 3 };
    },
    predict(x, n) {
      calls.push(`predict n=${n} lr=${this.learningRate} l2=${this.l2}`);
      return rows(x, n, 0);
    },
  };
  return { trainer, calls };
}

/** A clock that advances 250 ms on every reading after the first of each pair. */
const ticking = () => {
  let t = 0;
  let reads = 0;
  return { now: () => (reads++ % 2 === 0 ? t : (t += 250)) };
};

const hp = (learningRate: number, l2: number): HyperParams => ({ learningRate, l2 });

describe('trainStep', () => {
  it('scores holdout rows first, trains on train rows, and keeps the sample order (marbles)', () => {
    const { trainer, calls } = fakeTrainer('binary', 1);
    const b1 = [sample('train', [1, 2], 1), sample('holdout', [3, 4], 0), sample('train', [5, 6], 0)];
    const b2 = [sample('holdout', [1, 1], 1)];
    const b3 = [sample('train', [0, 1], 1), sample('train', [0, 2], 0), sample('train', [0, 3], 1)];
    const params = [hp(0.01, 0.001), hp(0.005, 0.002), hp(0.001, 0)];
    let reads = 0;
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold('-a--b-(c|)', { a: b1, b: b2, c: b3 });
      const expected: Record<string, ScoredBatch> = {
        x: {
          samples: b1,
          predictions: Float32Array.from([1003, 7, 1011]),
          width: 1,
          loss: 0.2,
          applied: true,
          steps: 1,
          skipped: 0,
          hyperParams: params[0]!,
          seconds: 0.25,
        },
        y: { samples: b2, predictions: Float32Array.from([2]), width: 1, loss: NaN, applied: true, steps: 0, skipped: 0, hyperParams: params[1]!, seconds: 0.25 },
        z: {
          samples: b3,
          predictions: Float32Array.from([1001, 1002, 1003]),
          width: 1,
          loss: 0.3,
          applied: false,
          steps: 1,
          skipped: 1,
          hyperParams: params[2]!,
          seconds: 0.25,
        },
      };
      expectObservable(source.pipe(trainStep(trainer, { get hyperParams() { return params[reads++]!; } }, { clock: ticking() }))).toBe('-x--y-(z|)', expected);
    });
    expect(calls).toEqual([
      'predict n=1 lr=0.01 l2=0.001',
      'step n=2 targets=1,0 lr=0.01 l2=0.001',
      'predict n=1 lr=0.005 l2=0.002',
      'step n=3 targets=1,0,1 lr=0.001 l2=0',
    ]);
  });

  it('places multiclass rows by sample and maps regression outputs to target units', async () => {
    const multi = fakeTrainer('multiclass', 3);
    const batch = [sample('holdout', [1, 0], 2), sample('train', [2, 0], 1), sample('holdout', [3, 0], 0)];
    const [scored] = await lastValueFrom(of(batch).pipe(trainStep(multi.trainer, { hyperParams: hp(0.1, 0) }), toArray()));
    expect(scored!.width).toBe(3);
    expect(Array.from(scored!.predictions)).toEqual([1, 11, 21, 1002, 1012, 1022, 3, 13, 23]);
    expect(scored!.seconds).toBeGreaterThanOrEqual(0);

    const reg = fakeTrainer('regression', 1);
    const rows = [sample('train', [1, 1], 0.5, 10, 2), sample('holdout', [2, 2], -1, -3, 0.5)];
    const [out] = await lastValueFrom(of(rows).pipe(trainStep(reg.trainer, { hyperParams: hp(0.1, 0) }), toArray()));
    expect(Array.from(out!.predictions)).toEqual([1002 * 2 + 10, 4 * 0.5 - 3]);
  });

  it('errors with the sample position when a row has the wrong number of features', async () => {
    const { trainer } = fakeTrainer('binary', 1);
    const bad = sample('train', [1, 2, 3], 1);
    await expect(lastValueFrom(of([bad]).pipe(trainStep(trainer, { hyperParams: hp(0.1, 0) })))).rejects.toThrow(ModelError);
    await expect(lastValueFrom(of([bad]).pipe(trainStep(trainer, { hyperParams: hp(0.1, 0) })))).rejects.toThrow(bad.position);
  });

  it('drives a real Trainer: holdout scored before the update, train rows prequentially', async () => {
    const settings = {
      task: 'regression',
      classes: 2,
      inputDim: 2,
      model: { layers: [{ type: 'dense', units: 4, activation: 'tanh' }], seed: 3 },
    } as const;
    const trainer = new Trainer(settings);
    const reference = new Trainer(settings); // same seed: same weights
    const batches = [0, 1, 2].map((k) => [
      sample('train', [k, 1], 0.3 * k, 5, 2),
      sample('holdout', [1, -k], -0.2, 5, 2),
      sample('train', [-k, 0.5], 0.1, 5, 2),
    ]);
    const params = hp(0.05, 0.01);
    const scored = await lastValueFrom(of(...batches).pipe(trainStep(trainer, { hyperParams: params }), toArray()));
    expect(trainer.learningRate).toBe(0.05);
    expect(trainer.l2).toBe(0.01);
    reference.learningRate = 0.05;
    reference.l2 = 0.01;
    batches.forEach((batch, k) => {
      const [t1, h, t2] = batch as [ScaledSample, ScaledSample, ScaledSample];
      const holdout = reference.predict(h.z, 1);
      const before = reference.predict(Float32Array.from([...t1.z, ...t2.z]), 2);
      const step = reference.step(Float32Array.from([...t1.z, ...t2.z]), Float32Array.from([t1.target, t2.target]), 2);
      expect(Array.from(step.predictions)).toEqual(Array.from(before));
      const toUnits = (v: number): number => v * 2 + 5;
      const out = scored[k]!;
      expect(out.predictions[0]).toBeCloseTo(toUnits(step.predictions[0]!), 5);
      expect(out.predictions[1]).toBeCloseTo(toUnits(holdout[0]!), 5);
      expect(out.predictions[2]).toBeCloseTo(toUnits(step.predictions[1]!), 5);
      expect(out.loss).toBeCloseTo(step.loss, 6);
      expect(out.applied).toBe(true);
    });
    expect(trainer.getWeights()).toEqual(reference.getWeights());
    trainer.dispose();
    reference.dispose();
  });

  it('with stepSize, learns chunk by chunk in stream order, each scored before its own update', () => {
    const { trainer, calls } = fakeTrainer('binary', 1);
    const batch = [
      sample('train', [1, 0], 1),
      sample('holdout', [2, 0], 0),
      sample('train', [3, 0], 0),
      sample('train', [4, 0], 1),
      sample('holdout', [5, 0], 1),
    ];
    let scored: ScoredBatch | undefined;
    of(batch)
      .pipe(trainStep(trainer, { hyperParams: hp(0.01, 0) }, { stepSize: 2 }))
      .subscribe((s) => (scored = s));
    // Chunk [0, 2): the holdout row 1 is scored, then one step on row 0; chunk [2, 4): a step on rows 2-3; chunk [4, 5): row 4.
    expect(calls).toEqual(['predict n=1 lr=0.01 l2=0', 'step n=1 targets=1 lr=0.01 l2=0', 'step n=2 targets=0,1 lr=0.01 l2=0', 'predict n=1 lr=0.01 l2=0']);
    expect(Array.from(scored!.predictions)).toEqual([1001, 2, 1003, 1004, 5]);
    expect(scored).toMatchObject({ steps: 2, skipped: 0, applied: true, loss: (0.1 + 0.2) / 2 });
  });

  it('learns record by record with a real engine exactly as single-row steps would', async () => {
    const settings = { task: 'binary', classes: 2, inputDim: 2, model: { layers: [], seed: 4 } } as const;
    const chunked = new Trainer(settings);
    const reference = new Trainer(settings);
    const batch = [0, 1, 2, 3].map((k) => sample('train', [k, 1 - k], k % 2));
    const [scored] = await lastValueFrom(of(batch).pipe(trainStep(chunked, { hyperParams: hp(0.1, 0) }, { stepSize: 1 }), toArray()));
    reference.learningRate = 0.1;
    reference.l2 = 0;
    batch.forEach((s, i) => {
      const step = reference.step(s.z, Float32Array.of(s.target), 1);
      expect(scored!.predictions[i]).toBeCloseTo(step.predictions[0]!, 6);
    });
    expect(scored!.steps).toBe(4);
    expect(chunked.getWeights()).toEqual(reference.getWeights());
    chunked.dispose();
    reference.dispose();
  });
});
