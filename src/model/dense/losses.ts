import type { Task } from '../../types.js';

/**
 * The task's output layer and loss on logits, as Trainer computes them: binary cross-entropy of
 * sigmoid(z) in its stable form, categorical cross-entropy with log-softmax (class ids converted
 * like TF.js's int32 cast; an id outside [0, classes) contributes no target), or the squared error;
 * each a mean over the batch. `outputs` writes P(y=1), class probabilities or the value;
 * `lossAndGradient` also writes d(mean loss)/d(logits).
 *
 * @example
 * const loss = losses.lossAndGradient('binary', logits, y, n, 1, predictions, dLogits);
 * losses.outputs('multiclass', logits, n, 3, probabilities);
 */
export const losses = { outputs, lossAndGradient } as const;

function outputs(task: Task, logits: Float32Array, n: number, width: number, out: Float32Array): void {
  const length = n * width;
  if (task === 'binary') {
    for (let i = 0; i < length; i++) out[i] = 1 / (1 + Math.exp(-logits[i]!));
  } else if (task === 'regression') {
    for (let i = 0; i < length; i++) out[i] = logits[i]!;
  } else {
    for (let r = 0; r < n; r++) {
      const base = r * width;
      let max = -Infinity;
      for (let k = 0; k < width; k++) if (logits[base + k]! > max) max = logits[base + k]!;
      let sum = 0;
      for (let k = 0; k < width; k++) {
        const e = Math.fround(Math.exp(logits[base + k]! - max));
        out[base + k] = e;
        sum += e;
      }
      const total = Math.fround(sum);
      for (let k = 0; k < width; k++) out[base + k] = out[base + k]! / total;
    }
  }
}

/** Mean loss over the n rows; writes the outputs to `out` and d(mean loss)/d(logits) to `grad`. */
function lossAndGradient(
  task: Task,
  logits: Float32Array,
  target: Float32Array,
  n: number,
  width: number,
  out: Float32Array,
  grad: Float64Array,
): number {
  let total = 0;
  if (task === 'binary') {
    for (let r = 0; r < n; r++) {
      const z = logits[r]!;
      const y = target[r]!;
      const p = 1 / (1 + Math.exp(-z));
      out[r] = p;
      // max(z, 0) - z*y + log(1 + exp(-|z|)): without overflow for large |z|.
      total += (z > 0 ? z : 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)));
      grad[r] = (p - y) / n;
    }
  } else if (task === 'regression') {
    for (let r = 0; r < n; r++) {
      const z = logits[r]!;
      const d = z - target[r]!;
      out[r] = z;
      total += d * d;
      grad[r] = (2 * d) / n;
    }
  } else {
    outputs(task, logits, n, width, out);
    for (let r = 0; r < n; r++) {
      const base = r * width;
      let max = -Infinity;
      for (let k = 0; k < width; k++) if (logits[base + k]! > max) max = logits[base + k]!;
      let sum = 0;
      for (let k = 0; k < width; k++) sum += Math.exp(logits[base + k]! - max);
      const logSum = Math.log(sum);
      const label = target[r]! | 0;
      for (let k = 0; k < width; k++) grad[base + k] = out[base + k]! / n;
      if (label >= 0 && label < width) {
        total -= logits[base + label]! - max - logSum;
        grad[base + label] = grad[base + label]! - 1 / n;
      }
    }
  }
  return total / n;
}
