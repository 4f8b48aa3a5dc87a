import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { mergeConfig, parseConfig, readConfigFile } from '../../src/config.js';
import { runPipeline } from '../../src/pipeline.js';
import { resolveSchema } from '../../src/training/resolveSchema.js';
import { createTrainingParts } from '../../src/training/TrainingParts.js';
import { openSource } from '../../src/sources/openSource.js';
import type { TuningEvent } from '../../src/tune/TuningEvent.js';
import { REPO } from '../support/runCli.js';
import { sharedData } from '../support/sharedData.js';

/**
 * The seed's single model (batch 32, Adam with momentum): its error jumps after each SEA drift
 * for long enough that the default detector sees every one. Today's per-record population adapts
 * within a few hundred records, and the detector sees fewer of them (docs/population.md).
 */
const CLASSIC = readConfigFile(join(REPO, 'examples/classic.yaml'));

beforeAll(async () => {
  await tf.setBackend('cpu');
});

interface Run {
  /** Prequential correctness (1/0) by record index, train split. */
  correct: Map<number, number>;
  crossEntropy: number;
  detections: number[];
  events: TuningEvent[];
  lr: number[];
}

async function run(file: string, overrides: Record<string, unknown>, base: Record<string, unknown> = {}): Promise<Run> {
  const config = parseConfig(mergeConfig(base, { source: file }, overrides));
  const source = await openSource(file);
  const schema = resolveSchema(config, source.columns, file);
  const parts = createTrainingParts(config, schema);
  const out: Run = { correct: new Map(), crossEntropy: NaN, detections: [], events: [], lr: [] };
  const result = await runPipeline({
    config,
    schema,
    records: source.records,
    parts,
    onRejected: () => undefined,
    onBatch: ({ batch, drift, decision }) => {
      batch.samples.forEach((s, i) => {
        if (s.split === 'train') out.correct.set(s.index, ((batch.predictions[i] as number) >= 0.5 ? 1 : 0) === s.y ? 1 : 0);
      });
      if (drift) out.detections.push(drift.index);
      out.events.push(...decision.events);
      out.lr.push(batch.hyperParams.learningRate);
    },
  });
  parts.engine.dispose();
  out.crossEntropy = result.evaluation.cumulative.train.crossEntropy ?? NaN;
  return out;
}

function accuracy(r: Run, from: number, to: number): number {
  let n = 0;
  let c = 0;
  for (const [i, v] of r.correct) {
    if (i >= from && i < to) {
      n++;
      c += v;
    }
  }
  return c / n;
}

describe('drift detection and tuning on real streams', () => {
  it('SEA, classic model: detects each of the three drifts soon after it, no false alarms, and recovers faster than without tuning', async () => {
    const file = sharedData('sea_concepts_50k.csv');
    const drifts = [12_500, 25_000, 37_500];
    const [tuned, untuned] = await Promise.all([run(file, {}, CLASSIC), run(file, { tuning: { enabled: false } }, CLASSIC)]);

    // One detection per drift, within 1,500 records after it, and none elsewhere.
    expect(tuned.detections).toHaveLength(3);
    tuned.detections.forEach((d, k) => {
      expect(d).toBeGreaterThanOrEqual(drifts[k]!);
      expect(d - drifts[k]!).toBeLessThan(1_500);
    });
    // The tuner raised the learning rate at each detection and brought it back afterwards.
    const boosts = tuned.events.filter((e) => e.reason === 'drift' && e.param === 'learningRate');
    expect(boosts).toHaveLength(3);
    expect(boosts.every((e) => (e.new as number) > (e.old as number))).toBe(true);
    expect(tuned.events.filter((e) => e.reason === 'drift_decay')).toHaveLength(3);
    expect(untuned.events).toEqual([]);
    expect(new Set(untuned.lr)).toEqual(new Set([0.001]));

    // Recovery: prequential accuracy over the 2,000 records after each drift is higher with tuning.
    for (const d of drifts) {
      expect(accuracy(tuned, d, d + 2_000)).toBeGreaterThan(accuracy(untuned, d, d + 2_000));
    }
    // Overall not worse.
    expect(accuracy(tuned, 0, Infinity)).toBeGreaterThanOrEqual(accuracy(untuned, 0, Infinity));
  }, 120_000);

  it('Elec2: tuning improves prequential accuracy and cross-entropy', async () => {
    const file = sharedData('elec2.csv');
    const [tuned, untuned] = await Promise.all([run(file, {}), run(file, { tuning: { enabled: false } })]);
    expect(tuned.events.length).toBeGreaterThan(0);
    expect(accuracy(tuned, 0, Infinity)).toBeGreaterThan(accuracy(untuned, 0, Infinity));
    expect(tuned.crossEntropy).toBeLessThan(untuned.crossEntropy);
  }, 120_000);
});
