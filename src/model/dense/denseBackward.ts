/**
 * Backward pass of a dense layer for n rows, given `d` = dLoss/dz (n*outDim): writes
 * input^T · d to the kernel gradient and Σ_rows d to the bias gradient (in `grads`, at the
 * kernel's and bias's offsets; overwritten, not added to), and, when `dInput` is given, writes
 * d · kernel^T to it. Sums run in float64 registers, four outputs at a time.
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
  if (n === 1) {
    backwardOneRow(input, d, inDim, outDim, params, kernelAt, biasAt, grads, dInput);
    return;
  }
  for (let o = 0; o < outDim; o++) {
    let s = 0;
    for (let r = 0, at = o; r < n; r++, at += outDim) s += d[at]!;
    grads[biasAt + o] = s;
  }
  for (let i = 0; i < inDim; i++) {
    const w = kernelAt + i * outDim;
    let o = 0;
    for (; o + 3 < outDim; o += 4) {
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let r = 0, at = o; r < n; r++, at += outDim) {
        const v = input[r * inDim + i]!;
        if (v === 0) continue;
        s0 += v * d[at]!;
        s1 += v * d[at + 1]!;
        s2 += v * d[at + 2]!;
        s3 += v * d[at + 3]!;
      }
      grads[w + o] = s0;
      grads[w + o + 1] = s1;
      grads[w + o + 2] = s2;
      grads[w + o + 3] = s3;
    }
    for (; o < outDim; o++) {
      let s = 0;
      for (let r = 0, at = o; r < n; r++, at += outDim) s += input[r * inDim + i]! * d[at]!;
      grads[w + o] = s;
    }
  }
  if (dInput === undefined) return;
  for (let r = 0; r < n; r++) {
    const row = r * inDim;
    const out = r * outDim;
    for (let i = 0; i < inDim; i++) {
      const w = kernelAt + i * outDim;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let o = 0;
      for (; o + 3 < outDim; o += 4) {
        s0 += params[w + o]! * d[out + o]!;
        s1 += params[w + o + 1]! * d[out + o + 1]!;
        s2 += params[w + o + 2]! * d[out + o + 2]!;
        s3 += params[w + o + 3]! * d[out + o + 3]!;
      }
      for (; o < outDim; o++) s0 += params[w + o]! * d[out + o]!;
      dInput[row + i] = s0 + s1 + (s2 + s3);
    }
  }
}

/** The same for one row (per-record learning): the kernel gradient is the outer product input ⊗ d. */
function backwardOneRow(
  input: Float32Array,
  d: Float64Array,
  inDim: number,
  outDim: number,
  params: Float32Array,
  kernelAt: number,
  biasAt: number,
  grads: Float64Array,
  dInput: Float64Array | undefined,
): void {
  for (let o = 0; o < outDim; o++) grads[biasAt + o] = d[o]!;
  for (let i = 0; i < inDim; i++) {
    const v = input[i]!;
    const w = kernelAt + i * outDim;
    for (let o = 0; o < outDim; o++) grads[w + o] = v * d[o]!;
  }
  if (dInput === undefined) return;
  for (let i = 0; i < inDim; i++) {
    const w = kernelAt + i * outDim;
    let s0 = 0;
    let s1 = 0;
    let o = 0;
    for (; o + 1 < outDim; o += 2) {
      s0 += params[w + o]! * d[o]!;
      s1 += params[w + o + 1]! * d[o + 1]!;
    }
    if (o < outDim) s0 += params[w + o]! * d[o]!;
    dInput[i] = s0 + s1;
  }
}
