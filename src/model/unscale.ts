import type { ScaledSample } from '../types.js';

/**
 * Turns regression outputs in place from the model's scaled units back into the target's own:
 * `out * targetScale + targetShift`, with each sample's own scale and shift.
 *
 * @example
 * unscale(predictions, samples); // predictions[i] = predictions[i] * samples[i].targetScale + samples[i].targetShift
 */
export function unscale(predictions: Float32Array, samples: readonly ScaledSample[]): void {
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] as ScaledSample;
    predictions[i] = (predictions[i] as number) * s.targetScale + s.targetShift;
  }
}
