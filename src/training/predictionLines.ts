import { scoredLine, type ScoredLine } from '../export/scoredLine.js';
import type { ScoredBatch, Split, Task } from '../types.js';

/** One published prediction: `streamtune predict`'s line with the model version and the record's split. */
export interface PredictionLine extends ScoredLine {
  /** Updates the champion had applied when it scored the record. */
  readonly version: number;
  /** train: scored, then learned; holdout: only scored. */
  readonly split: Split;
}

/**
 * The prediction line of each sample of a scored batch, as JSON text, in the batch's order.
 *
 * @example
 * predictionLines('binary', report.batch, versions.of(report.batch));
 * // ['{"position":"a.csv:2","prediction":1,"probabilities":[0.2,0.8],"version":0,"split":"train"}', ...]
 */
export function predictionLines(task: Task, batch: Pick<ScoredBatch, 'samples' | 'predictions' | 'width'>, versions: ArrayLike<number>): string[] {
  const { samples, predictions, width } = batch;
  const out = new Array<string>(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const sample = samples[i]!;
    const line: PredictionLine = {
      ...scoredLine(task, sample, predictions.subarray(i * width, (i + 1) * width)),
      version: versions[i]!,
      split: sample.split,
    };
    out[i] = JSON.stringify(line);
  }
  return out;
}
