import type { RawRecord } from '../types.js';

/**
 * Records a source can also hand out a chunk at a time: one await per chunk (a file read)
 * instead of one per record, which `fromSource` uses when it can. Iterated as a plain
 * `AsyncIterable<RawRecord>` it gives the same records, one by one.
 *
 * @example
 * const records = chunked(() => readCsvChunks('data/elec2.csv'));
 * for await (const chunk of records.chunks()) chunk.length; // thousands of records per file read
 */
export interface ChunkedRecords extends AsyncIterable<RawRecord> {
  chunks(): AsyncIterable<readonly RawRecord[]>;
}

/** Wraps a chunk generator as records that iterate either way. */
export function chunked(chunks: () => AsyncIterable<readonly RawRecord[]>): ChunkedRecords {
  return {
    chunks,
    async *[Symbol.asyncIterator]() {
      for await (const chunk of chunks()) yield* chunk;
    },
  };
}

/** True when `records` can be pulled a chunk at a time. */
export function isChunked(records: AsyncIterable<RawRecord>): records is ChunkedRecords {
  return typeof (records as Partial<ChunkedRecords>).chunks === 'function';
}
