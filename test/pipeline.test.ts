import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';
import { runPipeline, type BatchReport } from '../src/pipeline.js';
import { createTrainingParts } from '../src/training/TrainingParts.js';
import { parseSyntheticUri } from '../src/sources/synthetic.js';
import type { HyperParams, RawRecord, Rejected } from '../src/types.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function setup(uri: string, overrides: Record<string, unknown> = {}) {
  const synth = parseSyntheticUri(uri);
  const config = parseConfig({
    source: uri,
    model: { layers: [{ type: 'dense', units: 16, activation: 'relu' }, { type: 'dropout', rate: 0.1 }], seed: 1 },
    ...overrides,
  });
  const parts = createTrainingParts(config, synth.schema);
  return { synth, config, parts, trainer: parts.engine };
}

describe('runPipeline', () => {
  it('learns SEA, keeps the tensor count flat over 60,000 records, and its counts add up', async () => {
    const { synth, config, parts, trainer } = setup('synth:sea?n=60000&seed=3', { validationSplit: 0.25 });
    const tensors: number[] = [];
    const result = await runPipeline({
      config,
      schema: synth.schema,
      records: synth.records,
      parts,
      onRejected: () => {
        throw new Error('no rejects expected');
      },
      onBatch: () => tensors.push(trainer.numTensors),
    });
    trainer.dispose();
    const { counts, evaluation } = result;
    expect(counts.total).toBe(60_000);
    expect(counts.trained + counts.holdout + counts.rejected).toBe(counts.total);
    expect(counts.holdout / counts.total).toBeGreaterThan(0.23);
    expect(counts.holdout / counts.total).toBeLessThan(0.27);
    expect(counts.batches).toBe(Math.ceil(60_000 / 32));
    // Flat: after the first step created the optimizer state, the count never moves.
    expect(new Set(tensors.slice(1)).size).toBe(1);
    expect(tensors.at(-1)).toBe(tensors[1]);
    // Real learning: well above the majority baseline (about 0.62 on SEA), prequential and holdout.
    const majority = evaluation.baselines.majority?.cumulative.accuracy ?? NaN;
    expect(evaluation.cumulative.train.accuracy).toBeGreaterThan(majority + 0.15);
    expect(evaluation.cumulative.holdout.accuracy).toBeGreaterThan(majority + 0.15);
    expect(evaluation.records).toEqual({ train: counts.trained, holdout: counts.holdout });
  });

  it('sends bad records to onRejected with their reason, and learns the rest', async () => {
    const { synth, config, parts, trainer } = setup('synth:sea?n=10', { validationSplit: 0 });
    async function* records(): AsyncGenerator<RawRecord> {
      let i = 0;
      for (const r of synth.records) {
        yield r;
        if (i === 3) yield { index: 100, position: 'test:100', raw: 'x1=NaN', fields: { x1: 'NaN', x2: '1', x3: '1', y: '0' } };
        if (i === 5) yield { index: 101, position: 'test:101', raw: 'y=7', fields: { x1: '1', x2: '1', x3: '1', y: '7' } };
        i++;
      }
    }
    const rejected: Rejected[] = [];
    const reports: BatchReport[] = [];
    const result = await runPipeline({
      config,
      schema: synth.schema,
      records: records(),
      parts,
      onRejected: (r) => rejected.push(r),
      onBatch: (r) => reports.push(r),
    });
    trainer.dispose();
    expect(rejected.map((r) => [r.reason, r.position])).toEqual([
      ['non_finite', 'test:100'],
      ['label_domain', 'test:101'],
    ]);
    expect(result.counts).toMatchObject({ total: 12, trained: 10, holdout: 0, rejected: 2 });
    expect(result.counts.rejectedByReason).toEqual({ non_finite: 1, label_domain: 1 });
    expect(reports.flatMap((r) => r.batch.samples.map((s) => s.position))).not.toContain('test:100');
  });

  it('reads the learning rate and L2 in force at each step from the controls', async () => {
    const { synth, config, parts, trainer } = setup('synth:sea?n=320', { validationSplit: 0, tuning: { enabled: false } });
    const seen: HyperParams[] = [];
    await runPipeline({
      config,
      schema: synth.schema,
      records: synth.records,
      parts,
      onRejected: () => undefined,
      onBatch: ({ batch }) => {
        seen.push(batch.hyperParams);
        const hp = { learningRate: 0.05, l2: 0.01 };
        if (seen.length === 5) parts.controls.apply({ hp, events: [], actions: [] }, batch, seen.length);
      },
    });
    expect(trainer.learningRate).toBe(0.05);
    expect(trainer.l2).toBe(0.01);
    trainer.dispose();
    expect(seen[4]).toEqual({ learningRate: config.optimizer.learningRate, l2: config.l2 });
    expect(seen[5]).toEqual({ learningRate: 0.05, l2: 0.01 });
  });

  it('stops at the abort signal after finishing the in-flight batch', async () => {
    const { synth, config, parts, trainer } = setup('synth:sea?n=inf', { validationSplit: 0 });
    const abort = new AbortController();
    const result = await runPipeline({
      config,
      schema: synth.schema,
      records: synth.records,
      parts,
      signal: abort.signal,
      onRejected: () => undefined,
      onBatch: ({ counts }) => {
        if (counts.batches === 10) abort.abort();
      },
    });
    trainer.dispose();
    expect(result.counts.batches).toBeGreaterThanOrEqual(10);
    expect(result.counts.total).toBe(result.counts.trained);
  });
});
