/** What the reader must make of one record of a {@link malformedCsvFile}. */
export interface ExpectedCsvRecord {
  /** The 1-based line where the record begins. */
  readonly line: number;
  readonly outcome: 'ok' | 'malformed_csv' | 'column_count';
  /** Which row kind made it (a good note kind, or a bad kind). */
  readonly kind: string;
  /** A good row's `x1` (its id, unique in the file). */
  readonly id?: number;
}

/** A generated file and its expected records, in order. */
export interface MalformedCsvFile {
  readonly text: string;
  readonly expected: readonly ExpectedCsvRecord[];
}

/** Settings of {@link malformedCsvFile}. */
export interface MalformedCsvSettings {
  /** Rows after the header (bad ones, blank lines and continuation lines included). */
  readonly rows: number;
  /** Fraction of the rows that are malformed. */
  readonly badFraction: number;
  /** The reader's `maxRecordChars`: the over-long kinds go past it. */
  readonly maxChars: number;
  readonly eol?: '\n' | '\r\n' | '\r';
  readonly seed?: number;
}

/**
 * A CSV file (`x1,x2,note,y`) where `badFraction` of the rows are malformed in one of the ways
 * above, the others good (their `x1` is their id) with notes quoted, spanning lines or plain,
 * and a few blank lines; the last row is an unclosed quote, when any row is bad. Seeded: the
 * same settings, the same file.
 *
 * @example
 * const { text, expected } = malformedCsvFile({ rows: 1000, badFraction: 0.01, maxChars: 200 });
 */
export function malformedCsvFile(settings: MalformedCsvSettings): MalformedCsvFile;
