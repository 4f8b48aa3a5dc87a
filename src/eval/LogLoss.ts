import { MeanMetric } from './Metric.js';

/** Probabilities are clipped to [EPSILON, 1 - EPSILON] before the log (the Keras epsilon). */
export const EPSILON = 1e-7;

const clip = (q: number): number => Math.min(1 - EPSILON, Math.max(EPSILON, q));

/**
 * Cross-entropy (log loss), with probabilities clipped to [1e-7, 1 - 1e-7]. A one-value row is
 * binary: `-(y log p + (1 - y) log(1 - p))`; a wider row is multiclass: `-log p_y`.
 * A label outside the row counts as probability 0 (the clipped maximum loss).
 *
 * @example
 * const ce = new LogLoss();
 * ce.update(1, [0.5]);       // log 2
 * ce.update(0, [0.1, 0.9]);  // -log 0.1
 * ce.get();                  // mean of both
 */
export class LogLoss extends MeanMetric {
  protected score(y: number, p: ArrayLike<number>): number {
    if (p.length === 1) {
      const q = clip(p[0] as number);
      return -(y * Math.log(q) + (1 - y) * Math.log(1 - q));
    }
    return -Math.log(clip(p[y] ?? 0));
  }

  clone(): LogLoss {
    return new LogLoss();
  }
}
