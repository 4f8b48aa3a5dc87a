import { MeanMetric } from './Metric.js';

/**
 * Mean squared error. A one-value row is compared with `y` directly: `(p0 - y)^2` (the Brier score
 * for binary, the squared error for regression). A wider row is a multiclass probability row,
 * compared with the one-hot label and averaged over the classes (the Keras convention):
 * `mean_k (p_k - [k == y])^2`.
 *
 * @example
 * const mse = new Mse();
 * mse.update(1, [0.75]);         // (0.75 - 1)^2 = 0.0625
 * mse.update(2, [0.5, 0, 0.5]);  // (0.25 + 0 + 0.25) / 3
 * mse.get();                     // mean of both
 */
export class Mse extends MeanMetric {
  protected score(y: number, p: ArrayLike<number>): number {
    const width = p.length;
    if (width === 1) return ((p[0] as number) - y) ** 2;
    let sum = 0;
    for (let k = 0; k < width; k++) sum += ((p[k] as number) - (k === y ? 1 : 0)) ** 2;
    return sum / width;
  }

  clone(): Mse {
    return new Mse();
  }
}
