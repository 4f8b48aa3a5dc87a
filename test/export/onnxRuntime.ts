import { InferenceSession, Tensor } from 'onnxruntime-node';

/** Runs an ONNX model's bytes with ONNX Runtime (CPU) on raw feature rows; returns `prediction` row-major. */
export async function runOnnx(bytes: Uint8Array, rows: readonly Float32Array[]): Promise<number[]> {
  const session = await InferenceSession.create(bytes);
  try {
    const dim = rows[0]?.length ?? 0;
    const input = new Float32Array(rows.length * dim);
    rows.forEach((row, i) => input.set(row, i * dim));
    const result = await session.run({ features: new Tensor('float32', input, [rows.length, dim]) });
    return Array.from(result.prediction!.data as Float32Array);
  } finally {
    await session.release();
  }
}
