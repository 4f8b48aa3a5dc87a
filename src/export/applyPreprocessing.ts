import type { Preprocessing } from './ExportModel.js';

/**
 * Standardizes raw feature rows as the trainer did when the model was exported (in float64, then
 * float32, as the Standardizer does): `(x - mean) / scale`, 0 for a feature of scale 0, clipped
 * to ±clip. Returns the rows one after another, ready for a `[rows.length, features]` tensor.
 *
 * @example
 * const x = standardizeRows(preprocessing, [Float32Array.of(0.1, 0.5)]); // Float32Array [z0, z1]
 */
export function standardizeRows(p: Preprocessing, rows: readonly ArrayLike<number>[]): Float32Array {
  const dim = p.features.length;
  const clip = p.clip ?? Infinity;
  const out = new Float32Array(rows.length * dim);
  rows.forEach((row, r) => {
    if (row.length !== dim) throw new RangeError(`row ${r} has ${row.length} features; the model takes ${dim} (${p.features.join(', ')})`);
    for (let i = 0; i < dim; i++) {
      const scale = p.scales[i]!;
      if (!(scale > 0)) continue;
      const z = ((row[i] as number) - p.means[i]!) / scale;
      out[r * dim + i] = z > clip ? clip : z < -clip ? -clip : z;
    }
  });
  return out;
}

/**
 * Turns the network's outputs into predictions in the label's units, in place: regression outputs
 * times the target's scale plus its shift; classification outputs are probabilities already.
 *
 * @example
 * unscaleOutputs(preprocessing, outputs);
 */
export function unscaleOutputs(p: Preprocessing, outputs: Float32Array | Float64Array): void {
  if (p.target === null) return;
  for (let i = 0; i < outputs.length; i++) outputs[i] = outputs[i]! * p.target.scale + p.target.shift;
}
