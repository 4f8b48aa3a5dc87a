import type { FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { parse } from 'fast-csv';

/**
 * The rows of a CSV file as fast-csv 5 parses them (`trim: true`, blank lines kept as empty rows),
 * one array of cells per row: the reference that `CsvSplitter` must agree with (tests and the stage
 * benchmark compare them); `readCsv(path, { parser: 'fast-csv' })` reads through it. Ending the
 * iteration early (break, return) destroys the parser and stops the reading.
 *
 * @example
 * for await (const cells of fastCsvRows(await open('a.csv'), ',')) console.log(cells);
 */
export async function* fastCsvRows(handle: FileHandle, delimiter: string): AsyncGenerator<string[]> {
  // Rows as arrays: readCsv takes the header and checks arity itself, and skips blank lines itself
  // (fast-csv's ignoreEmpty would also drop rows of empty cells, which must be rejected instead).
  const parser = parse<string[], string[]>({ headers: false, ignoreEmpty: false, trim: true, delimiter });
  // pipeline forwards read errors to the parser; the file handle stays the caller's to close.
  pipeline(handle.createReadStream({ autoClose: false }), parser, () => {});
  try {
    yield* parser as AsyncIterable<string[]>;
  } finally {
    parser.destroy();
  }
}
