import { createHash } from 'node:crypto';

/**
 * A short fingerprint of a model's weights (shapes and float32 values, in order): the same for an
 * engine's `getWeights()` and for the `weights` of a snapshot of it, so a rollback event can show
 * that the live weights are the checkpoint's.
 *
 * @example
 * weightsDigest(engine.getWeights()) === weightsDigest(checkpoint.state.trainer.weights); // true right after a rollback
 */
export function weightsDigest(weights: ReadonlyArray<{ readonly shape: readonly number[]; readonly values: ArrayLike<number> }>): string {
  const hash = createHash('sha256');
  for (const w of weights) {
    hash.update(JSON.stringify(w.shape));
    const values = w.values instanceof Float32Array ? w.values : Float32Array.from(w.values);
    hash.update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  }
  return hash.digest('hex').slice(0, 16);
}
