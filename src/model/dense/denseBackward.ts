/**
 * Backward pass of a dense layer for n rows, given `d` = dLoss/dz (n*outDim): writes
 * input^T · d to the kernel gradient and Σ_rows d to the bias gradient (in `grads`, at the
 * kernel's and bias's offsets; overwritten, not added to), and, when `dInput` is given, writes
 * d · kernel^T to it.
 *
 * @example
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
  if (outDim === 1) {
    let biasGrad = 0;
    for (let i = 0; i < inDim; i++) grads[kernelAt + i] = 0;
    for (let r = 0; r < n; r++) {
      const row = r * inDim;
      const g = d[r]!;
      biasGrad += g;
      for (let i = 0; i < inDim; i++) grads[kernelAt + i] = grads[kernelAt + i]! + input[row + i]! * g;
      if (dInput !== undefined) for (let i = 0; i < inDim; i++) dInput[row + i] = params[kernelAt + i]! * g;
    }
    grads[biasAt] = biasGrad;
    return;
  }
  // Row 0 writes the gradients, the other rows add to them (no separate zeroing pass).
  for (let o = 0; o < outDim; o++) grads[biasAt + o] = d[o]!;
  for (let i = 0; i < inDim; i++) {
    const value = input[i]!;
    const w = kernelAt + i * outDim;
    for (let o = 0; o < outDim; o++) grads[w + o] = value * d[o]!;
  }
  for (let r = 1; r < n; r++) {
    const row = r * inDim;
    const out = r * outDim;
    for (let o = 0; o < outDim; o++) grads[biasAt + o] = grads[biasAt + o]! + d[out + o]!;
    for (let i = 0; i < inDim; i++) {
      const value = input[row + i]!;
      if (value === 0) continue;
      const w = kernelAt + i * outDim;
      for (let o = 0; o < outDim; o++) grads[w + o] = grads[w + o]! + value * d[out + o]!;
    }
  }
  if (dInput === undefined) return;
  for (let r = 0; r < n; r++) {
    const row = r * inDim;
    const out = r * outDim;
    for (let i = 0; i < inDim; i++) {
      const w = kernelAt + i * outDim;
      let sum = 0;
      for (let o = 0; o < outDim; o++) sum += params[w + o]! * d[out + o]!;
      dInput[row + i] = sum;
    }
  }
}
