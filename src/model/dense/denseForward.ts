/**
 * `z = input · kernel + bias` for n rows of a dense layer (kernel `[inDim, outDim]` row-major at
 * `kernelAt` in `params`, bias at `biasAt`), summed in float64 and stored as float32 like TF.js's
 * matMul then bias add. Four outputs at a time are summed in registers (no stores in the inner
 * loop); zero inputs (relu) are skipped.
 *
 * @example
 * denseForward(x, n, 8, 64, params, 0, 512, z); // z: n*64 pre-activations
 */
export function denseForward(
  input: Float32Array,
  n: number,
  inDim: number,
  outDim: number,
  params: Float32Array,
  kernelAt: number,
  biasAt: number,
  z: Float32Array,
): void {
  for (let r = 0; r < n; r++) {
    const row = r * inDim;
    const out = r * outDim;
    let o = 0;
    for (; o + 3 < outDim; o += 4) {
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let i = 0, w = kernelAt + o; i < inDim; i++, w += outDim) {
        const v = input[row + i]!;
        if (v === 0) continue;
        s0 += v * params[w]!;
        s1 += v * params[w + 1]!;
        s2 += v * params[w + 2]!;
        s3 += v * params[w + 3]!;
      }
      z[out + o] = Math.fround(s0) + params[biasAt + o]!;
      z[out + o + 1] = Math.fround(s1) + params[biasAt + o + 1]!;
      z[out + o + 2] = Math.fround(s2) + params[biasAt + o + 2]!;
      z[out + o + 3] = Math.fround(s3) + params[biasAt + o + 3]!;
    }
    for (; o < outDim; o++) {
      let s = 0;
      for (let i = 0, w = kernelAt + o; i < inDim; i++, w += outDim) s += input[row + i]! * params[w]!;
      z[out + o] = Math.fround(s) + params[biasAt + o]!;
    }
  }
}
