import { MeanMetric } from './Metric.js';

/**
 * Share of correct predictions. A one-value row is binary: correct when `(p0 >= 0.5) === (y === 1)`;
 * a wider row is multiclass: correct when the first index of the largest probability equals `y`.
 *
 * @example
 * const acc = new Accuracy();
 * acc.update(1, [0.7]);          // correct
 * acc.update(0, [0.2, 0.8]);     // wrong: argmax is 1
 * acc.get();                     // 0.5
 */
export class Accuracy extends MeanMetric {
  protected score(y: number, p: ArrayLike<number>): number {
    if (p.length === 1) return ((p[0] as number) >= 0.5) === (y === 1) ? 1 : 0;
    let best = 0;
    for (let k = 1; k < p.length; k++) if ((p[k] as number) > (p[best] as number)) best = k;
    return best === y ? 1 : 0;
  }

  clone(): Accuracy {
    return new Accuracy();
  }
}
