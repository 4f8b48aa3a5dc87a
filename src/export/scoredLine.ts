import type { Task } from '../types.js';

/** One line of `streamtune predict`'s output. */
export interface ScoredLine {
  readonly position: string;
  readonly key?: string;
  /** binary / multiclass: the most probable class; regression: the predicted value. */
  readonly prediction: number;
  /** Classification: the probability of each class (binary: [P(0), P(1)]). */
  readonly probabilities?: number[];
}

/**
 * The output line of one scored record from its row of model outputs (binary: P(y=1);
 * multiclass: class probabilities; regression: the value).
 *
 * @example
 * scoredLine('binary', { position: 'a.csv:2' }, [0.8]); // { position: 'a.csv:2', prediction: 1, probabilities: [0.2, 0.8] }
 */
export function scoredLine(task: Task, record: { position: string; key?: string | undefined }, outputs: ArrayLike<number>): ScoredLine {
  const head = record.key === undefined ? { position: record.position } : { position: record.position, key: record.key };
  if (task === 'regression') return { ...head, prediction: outputs[0]! };
  const probabilities = task === 'binary' ? [1 - outputs[0]!, outputs[0]!] : Array.from(outputs);
  let best = 0;
  probabilities.forEach((p, k) => {
    if (p > probabilities[best]!) best = k;
  });
  return { ...head, prediction: best, probabilities };
}
