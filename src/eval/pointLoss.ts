import type { Task } from '../types.js';

const EPS = 1e-7;

/**
 * The loss of one prediction row: log loss for classification (binary: `p` is P(y=1);
 * multiclass: `width` class probabilities), squared error for regression, in the units given.
 * Row `row` of the row-major `predictions` is scored against `y`.
 *
 * @example
 * pointLoss('binary', 0.9, Float32Array.of(0.8), 0, 1); // -ln(0.8)
 * pointLoss('regression', 2, Float32Array.of(1.5), 0, 1); // 0.25
 */
export function pointLoss(task: Task, y: number, predictions: Float32Array, row: number, width: number): number {
  if (task === 'regression') {
    const d = (predictions[row] as number) - y;
    return d * d;
  }
  if (task === 'binary') {
    const p = Math.min(1 - EPS, Math.max(EPS, predictions[row] as number));
    return y === 1 ? -Math.log(p) : -Math.log(1 - p);
  }
  const p = predictions[row * width + y] as number;
  return -Math.log(Math.min(1 - EPS, Math.max(EPS, p)));
}
