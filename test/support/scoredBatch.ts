import type { ScaledSample, ScoredBatch, Split } from '../../src/types.js';

/**
 * Fixture builder: a ScoredBatch from (label, split, prediction row) triples.
 *
 * @example
 * scoredBatch([{ y: 1, split: 'train', p: [0.8] }]);
 */
export function scoredBatch(rows: ReadonlyArray<{ y: number; split: Split; p: number[] }>, width = 1): ScoredBatch {
  const samples = rows.map(
    ({ y, split }, i): ScaledSample => ({
      index: i,
      position: `fixture:${i + 1}`,
      x: new Float32Array([0]),
      z: new Float32Array([0]),
      y,
      split,
      target: y,
      targetShift: 0,
      targetScale: 1,
    }),
  );
  return {
    samples,
    predictions: Float32Array.from(rows.flatMap((r) => r.p)),
    width,
    loss: NaN,
    applied: true,
    steps: 1,
    skipped: 0,
    hyperParams: { learningRate: 0.001, l2: 0 },
    seconds: 0,
  };
}
