import type { SourcePositions } from '../checkpoint/Checkpoint.js';
import type { RawRecord } from '../types.js';

/**
 * An opened source: its records (pulled lazily) and the column names to pick label and features
 * from. Kept apart from `openSource` so the sources it opens (e.g. Kafka) can return one without
 * importing it back.
 *
 * @example
 * const opened: OpenedSource = await openSource('data/elec2.csv');
 */
export interface OpenedSource {
  readonly name: string;
  readonly columns: readonly string[];
  readonly records: AsyncIterable<RawRecord>;
  /** The positions a checkpoint covering every record up to source index `index` stores. */
  positionsThrough(index: number): SourcePositions;
  /** Kafka: allow committing up to these positions (of a durable checkpoint, or of processed records). */
  allowCommit?(positions: SourcePositions): void;
  /**
   * Kafka: commit what is allowed, leave the group, disconnect. With a `signal`, a final commit
   * that fails (broker down) is retried until it succeeds or the signal aborts.
   */
  close?(options?: { readonly signal?: AbortSignal }): Promise<void>;
}
