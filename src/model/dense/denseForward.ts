/**
 * `z = input · kernel + bias` for n rows of a dense layer (kernel `[inDim, outDim]` row-major at
 * `kernelAt` in `params`, bias at `biasAt`), summed in float64 in `acc` (length >= outDim) and
 * stored as float32 like TF.js's matMul then bias add. Zero inputs (relu) are skipped.
 *
 * @example
 * denseForward(x, n, 8, 64, params, 0, 512, z, acc); // z: n*64 pre-activations
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
  acc: Float64Array,
): void {
  if (outDim === 1) {
    const bias = params[biasAt]!;
    for (let r = 0; r < n; r++) {
      const row = r * inDim;
      let sum = 0;
      for (let i = 0; i < inDim; i++) sum += input[row + i]! * params[kernelAt + i]!;
      z[r] = Math.fround(sum) + bias;
    }
    return;
  }
  for (let r = 0; r < n; r++) {
    const row = r * inDim;
    for (let o = 0; o < outDim; o++) acc[o] = 0;
    for (let i = 0; i < inDim; i++) {
      const value = input[row + i]!;
      if (value === 0) continue;
      const w = kernelAt + i * outDim;
      for (let o = 0; o < outDim; o++) acc[o] = acc[o]! + value * params[w + o]!;
    }
    const out = r * outDim;
    for (let o = 0; o < outDim; o++) z[out + o] = Math.fround(acc[o]!) + params[biasAt + o]!;
  }
}
