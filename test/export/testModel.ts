import type { ConfigSummary } from '../../src/checkpoint/Checkpoint.js';
import { exportModelFromState } from '../../src/export/exportModelFromState.js';
import type { ExportModel } from '../../src/export/ExportModel.js';
import { DenseEngine } from '../../src/model/dense/DenseEngine.js';
import type { LayerSpec } from '../../src/model/ModelSpec.js';
import { Standardizer } from '../../src/stats/Standardizer.js';
import type { Task } from '../../src/types.js';
import type { DenseReference } from './densePredictions.js';

/** A seeded generator of uniform numbers in [0, 1). */
export function uniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A small model that has learned a little from seeded random rows (feature 2 is constant, so its
 * scale is 0), exported, with its dense reference and rows to predict: some far outside the
 * training range (the clip matters for those).
 */
export function trainedTestModel(options: { task: Task; layers: LayerSpec[]; classes?: number; clip?: number; seed?: number }): {
  model: ExportModel;
  reference: DenseReference;
  rows: Float32Array[];
} {
  const { task, layers, clip } = options;
  const classes = task === 'multiclass' ? (options.classes ?? 3) : 2;
  const dim = 5;
  const rnd = uniform(options.seed ?? 7);
  const engine = new DenseEngine({ task, classes, inputDim: dim, model: { layers, seed: options.seed ?? 3 }, learningRate: 0.05 });
  const scaler = new Standardizer({ dim, clip, standardizeTarget: task === 'regression' });
  const row = (spread: number): Float32Array => Float32Array.from({ length: dim }, (_, i) => (i === 2 ? 4 : (rnd() - 0.3) * spread * (i + 1) + i));
  for (let n = 0; n < 200; n++) {
    const x = row(1);
    const y = task === 'regression' ? 100 + 50 * x[0]! - 20 * x[1]! : task === 'binary' ? Number(x[0]! > 0.2) : Math.floor(rnd() * classes);
    scaler.update(x, y);
    const target = task === 'regression' ? (y - scaler.targetShift) / scaler.targetScale : y;
    engine.step(scaler.transform(x), Float32Array.of(target), 1);
  }
  const summary: ConfigSummary = { task, features: ['a', 'b', 'c', 'd', 'e'], label: 'y', classes, layers };
  const model = exportModelFromState({
    summary,
    engine: engine.snapshot(),
    scaler: scaler.snapshot(),
    standardize: { clip: clip ?? null, minStd: 1e-8 },
    records: 200,
  });
  const reference: DenseReference = {
    task,
    classes,
    layers,
    inputDim: dim,
    engine: engine.snapshot(),
    scaler: scaler.snapshot(),
    clip,
    standardizeTarget: task === 'regression',
  };
  engine.dispose();
  const rows = [...Array.from({ length: 40 }, () => row(1)), ...Array.from({ length: 10 }, () => row(30))];
  return { model, reference, rows };
}

/** Largest |a - b| over the pairs, relative to max(1, |b|) (regression predictions are in the label's units). */
export function maxRelativeDifference(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let max = 0;
  a.forEach((v, i) => {
    max = Math.max(max, Math.abs(v - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  });
  return Number.isNaN(max) || a.some((v) => !Number.isFinite(v)) ? Infinity : max;
}
