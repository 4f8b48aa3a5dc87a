/**
 * Backward pass of a dense layer for n rows, given `d` = dLoss/dz (n*outDim): adds
 * input^T · d to the kernel gradient and Σ_rows d to the bias gradient (in `grads`, at the
 * kernel's and bias's offsets), and, when `dInput` is given, writes d · kernel^T to it.
 *
 * @example
 * grads.fill(0);
 * denseBackward(h, d, n, 64, 1, params, 576, 640, grads, dHidden);
 */
export function denseBackward(
  input: Float32Array,
  d: Float64Array,
  n: number,
  inDim: number,
  outDim: number,
  params: Float32Array,
  kernelAt: number,
  biasAt: number,
  grads: Float64Array,
  dInput: Float64Array | undefined,
): void {
  for (let r = 0; r < n; r++) {
    const row = r * inDim;
    const out = r * outDim;
    if (outDim === 1) {
      const g = d[out]!;
      grads[biasAt] = grads[biasAt]! + g;
      for (let i = 0; i < inDim; i++) grads[kernelAt + i] = grads[kernelAt + i]! + input[row + i]! * g;
      if (dInput !== undefined) for (let i = 0; i < inDim; i++) dInput[row + i] = params[kernelAt + i]! * g;
      continue;
    }
    for (let o = 0; o < outDim; o++) grads[biasAt + o] = grads[biasAt + o]! + d[out + o]!;
    for (let i = 0; i < inDim; i++) {
      const value = input[row + i]!;
      const w = kernelAt + i * outDim;
      if (value !== 0) for (let o = 0; o < outDim; o++) grads[w + o] = grads[w + o]! + value * d[out + o]!;
      if (dInput !== undefined) {
        let sum = 0;
        for (let o = 0; o < outDim; o++) sum += params[w + o]! * d[out + o]!;
        dInput[row + i] = sum;
      }
    }
  }
}
