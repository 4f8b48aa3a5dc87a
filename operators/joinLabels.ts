import { Observable, type OperatorFunction } from 'rxjs';
import { countRejected, type RecordCounts } from '../src/records/RecordCounts.js';
import type { ArrivalSample, RawRecord, Rejected } from '../src/types.js';

/** What one raw record did to the join (the app's LabelJoin gives it). */
export interface JoinStep {
  readonly sample?: ArrivalSample;
  readonly rejected: readonly Rejected[];
  /** Records this step adds to the run's total. */
  readonly added: number;
}

/** Settings of {@link joinLabels}. */
export interface JoinLabelsOptions {
  /** The run's counts: the records each step adds, and its rejections by reason. */
  readonly counts: RecordCounts;
  /** The dead letter (and its metrics): written before the sample of the same step goes on. */
  readonly onRejected: (record: Rejected) => void;
  /** When a record was read, for sources without timestamps (ms since the epoch). Default `Date.now`. */
  readonly now?: () => number;
}

/**
 * Joins feature records with their labels that arrive later (both kinds in one raw stream):
 * each raw record goes to `join`, which predicts and parks features and releases a record with
 * its label (and its prediction from arrival) when the label comes; dead letters (expired records,
 * orphan and duplicate labels, undecodable records) are counted and handed to `onRejected` before
 * the released sample is emitted, so a checkpoint taken downstream covers them.
 *
 * @example
 * raw$.pipe(joinLabels(parts.labels, { counts, onRejected }), miniBatch(32, 1000), populationStep(population, controls));
 */
export function joinLabels(
  join: { accept(raw: RawRecord, receivedAt: number): JoinStep },
  options: JoinLabelsOptions,
): OperatorFunction<RawRecord, ArrivalSample> {
  const { counts, onRejected, now = Date.now } = options;
  return (source) =>
    new Observable<ArrivalSample>((subscriber) =>
      source.subscribe({
        next: (raw) => {
          const step = join.accept(raw, now());
          counts.total += step.added;
          for (const rejected of step.rejected) {
            countRejected(counts, rejected.reason);
            onRejected(rejected);
          }
          if (step.sample) subscriber.next(step.sample);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      }),
    );
}
