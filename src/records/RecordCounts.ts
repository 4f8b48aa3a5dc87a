import type { RejectReason, ScoredBatch } from '../types.js';

/** Record counts of a run: `total = trained + holdout + rejected`. */
export interface RecordCounts {
  total: number;
  trained: number;
  holdout: number;
  rejected: number;
  rejectedByReason: Partial<Record<RejectReason, number>>;
  skippedSteps: number;
  batches: number;
}

/**
 * Fresh counts, all zero.
 *
 * @example
 * const counts = emptyCounts(); countBatch(counts, scored); countRejected(counts, 'non_numeric');
 */
export function emptyCounts(): RecordCounts {
  return { total: 0, trained: 0, holdout: 0, rejected: 0, rejectedByReason: {}, skippedSteps: 0, batches: 0 };
}

/** Counts one rejected record under its reason. */
export function countRejected(counts: RecordCounts, reason: RejectReason): void {
  counts.rejected++;
  counts.rejectedByReason[reason] = (counts.rejectedByReason[reason] ?? 0) + 1;
}

/** Counts a scored batch: its train and holdout rows, and its skipped steps. */
export function countBatch(counts: RecordCounts, batch: ScoredBatch): void {
  counts.batches++;
  for (const s of batch.samples) {
    if (s.split === 'train') counts.trained++;
    else counts.holdout++;
  }
  counts.skippedSteps += batch.skipped;
}
