import { DenseEngine } from '../../src/model/dense/DenseEngine.js';
import type { EngineSnapshot } from '../../src/model/Engine.js';
import type { LayerSpec } from '../../src/model/ModelSpec.js';
import { Standardizer, type StandardizerSnapshot } from '../../src/stats/Standardizer.js';
import type { Task } from '../../src/types.js';

/** What streamtune itself predicts for raw rows: the scaler's transform, the dense engine's predict, the target unscaled. */
export interface DenseReference {
  readonly task: Task;
  readonly classes: number;
  readonly layers: readonly LayerSpec[];
  readonly inputDim: number;
  readonly engine: EngineSnapshot;
  readonly scaler: StandardizerSnapshot;
  readonly clip?: number | undefined;
  readonly standardizeTarget: boolean;
}

/**
 * streamtune's own predictions for `rows` (raw features), row-major: the standardizer and the
 * dense engine restored from the snapshots, unscaled for regression as the pipeline does (in float64).
 */
export function densePredictions(ref: DenseReference, rows: readonly Float32Array[]): number[] {
  const engine = new DenseEngine({
    task: ref.task,
    classes: ref.classes,
    inputDim: ref.inputDim,
    model: { layers: ref.layers, seed: 1 },
  });
  engine.restore(ref.engine);
  const scaler = new Standardizer({ dim: ref.inputDim, clip: ref.clip, standardizeTarget: ref.standardizeTarget });
  scaler.restore(ref.scaler);
  const out: number[] = [];
  for (const row of rows) {
    const scaled = engine.predict(scaler.transform(row), 1);
    for (const v of scaled) out.push(ref.task === 'regression' ? v * scaler.targetScale + scaler.targetShift : v);
  }
  engine.dispose();
  return out;
}
