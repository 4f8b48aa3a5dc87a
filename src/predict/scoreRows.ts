import type { TrainingParts } from '../training/TrainingParts.js';

/**
 * Scores raw feature rows with the current champion: standardized with the running statistics
 * (read only: nothing is learned) as the pipeline's standardize operator does, predicted in
 * inference mode, and, for regression, turned back into the target's units. Returns `rows.length
 * * width` outputs (binary: P(y=1); multiclass: class probabilities; regression: the value) and
 * the model version (the champion's updates applied). Synchronous: it runs between two blocks.
 *
 * @example
 * const { outputs, version, width } = scoreRows(parts, [Float32Array.of(0.5, 1)]);
 */
export function scoreRows(
  parts: Pick<TrainingParts, 'engine' | 'scaler'>,
  rows: readonly Float32Array[],
): { outputs: Float32Array; width: number; version: number } {
  const { engine, scaler } = parts;
  const dim = engine.inputDim;
  const n = rows.length;
  const x = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) x.set(scaler.transform(rows[i]!), i * dim);
  const width = engine.width;
  const outputs = n === 0 ? new Float32Array(0) : engine.predict(x, n).slice(0, n * width);
  if (engine.task === 'regression') {
    const scale = scaler.targetScale;
    const shift = scaler.targetShift;
    for (let i = 0; i < outputs.length; i++) outputs[i] = outputs[i]! * scale + shift;
  }
  return { outputs, width, version: engine.iterations };
}
