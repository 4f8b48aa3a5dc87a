/**
 * One pass over the gradients after the backward pass: adds `2 * l2 * w` to the kernel entries
 * (`kernelRanges` holds [start, end) pairs into the flat arrays), and writes Σ kernel² to
 * `out[0]` and the squared global norm of the resulting gradient to `out[1]`.
 *
 * @example
 * penaltyAndNorm(params, grads, [0, 512, 576, 640], 0.001, sums);
 * const loss = dataLoss + 0.001 * sums[0]; const gradNorm = Math.sqrt(sums[1]);
 */
export function penaltyAndNorm(
  params: Float32Array,
  grads: Float64Array,
  kernelRanges: readonly number[],
  l2: number,
  out: Float64Array,
): void {
  const twoL2 = 2 * l2;
  // Two accumulators each, so that the additions do not wait on one another.
  let squares = 0;
  let squares2 = 0;
  let norm2 = 0;
  let norm2b = 0;
  let from = 0;
  for (let k = 0; k < kernelRanges.length; k += 2) {
    const start = kernelRanges[k]!;
    const end = kernelRanges[k + 1]!;
    for (let i = from; i < start; i++) norm2 += grads[i]! * grads[i]!; // biases before this kernel
    let i = start;
    for (; i + 1 < end; i += 2) {
      const w = params[i]!;
      const w2 = params[i + 1]!;
      const g = grads[i]! + twoL2 * w;
      const g2 = grads[i + 1]! + twoL2 * w2;
      grads[i] = g;
      grads[i + 1] = g2;
      squares += w * w;
      squares2 += w2 * w2;
      norm2 += g * g;
      norm2b += g2 * g2;
    }
    if (i < end) {
      const w = params[i]!;
      const g = grads[i]! + twoL2 * w;
      grads[i] = g;
      squares += w * w;
      norm2 += g * g;
    }
    from = end;
  }
  for (let i = from; i < grads.length; i++) norm2 += grads[i]! * grads[i]!;
  out[0] = squares + squares2;
  out[1] = norm2 + norm2b;
}
