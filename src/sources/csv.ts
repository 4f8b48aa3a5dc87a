import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { parse, type CsvParserStream } from 'fast-csv';
import { SourceError } from '../errors.js';
import type { RawRecord } from '../types.js';

/** Settings of {@link readCsv} and {@link readCsvHeader}. */
export interface CsvOptions {
  /** Field separator, one character. Default `,`. */
  readonly delimiter?: string;
  /** Column whose value becomes `RawRecord.key` (the routing key). */
  readonly keyField?: string;
}

type Fields = Record<string, string>;
/** A valid row tagged, at parse time, with its data-row index (so invalid rows can be put back in order). */
type Tagged = { index: number; row: Fields };

/**
 * Streams a CSV file with a header row as raw records, pulled one at a time (the file is never
 * read whole, and a slow consumer slows the reading). Rows whose column count differs from the
 * header become records with `error.reason = 'column_count'`, in file order, never dropped.
 * A missing, unreadable or empty file (no header) throws a `SourceError` when iterated.
 *
 * @example
 * for await (const record of readCsv('data/elec2.csv')) {
 *   record.fields; // { date: '0', day: '2', ..., class: '1' }
 *   record.position; // 'data/elec2.csv:2'
 * }
 */
export async function* readCsv(path: string, options: CsvOptions = {}): AsyncGenerator<RawRecord> {
  const delimiter = options.delimiter ?? ',';
  const parser = await openCsv(path, delimiter);
  let header: string[] | undefined;
  // Rows seen by the parser (valid or not), in file order; the valid ones come out of the stream
  // later than they were parsed, so each is tagged now and the invalid ones wait in `invalid`.
  let parsed = 0;
  const invalid: RawRecord[] = [];
  // Line numbers assume one line per record and no blank lines: blank lines (skipped by
  // `ignoreEmpty`) and quoted fields spanning several lines shift the real line further down.
  const position = (index: number): string => `${path}:${index + 2}`;

  parser.on('headers', (names: string[]) => {
    header = names;
  });
  parser.on('data-invalid', (row: unknown) => {
    const values = Array.isArray(row) ? row.map(String) : [];
    const index = parsed++;
    invalid.push({
      index,
      position: position(index),
      raw: joinCsv(values, delimiter),
      error: {
        reason: 'column_count',
        detail: `expected ${header?.length ?? '?'} columns (the header), got ${values.length}`,
      },
    });
  });
  parser.transform((row: Fields): Tagged => ({ index: parsed++, row }));

  try {
    for await (const { index, row } of parser as AsyncIterable<Tagged>) {
      while (invalid.length > 0 && invalid[0]!.index < index) yield invalid.shift()!;
      const key = options.keyField === undefined ? undefined : row[options.keyField];
      yield {
        index,
        position: position(index),
        raw: joinCsv(Object.values(row), delimiter),
        fields: row,
        ...(key ? { key } : {}),
      };
    }
    yield* invalid.splice(0);
  } catch (error) {
    throw new SourceError(
      `cannot read CSV file "${path}" near line ${parsed + 2}: ${describe(error)}; check that the file is valid CSV with delimiter ${JSON.stringify(delimiter)}`,
      { cause: error },
    );
  } finally {
    parser.destroy();
  }
  if (header === undefined) throw emptyFile(path);
}

/**
 * Reads only the header row of a CSV file (the column names, BOM and surrounding spaces removed).
 * Throws a `SourceError` when the file is missing, unreadable or empty.
 *
 * @example
 * await readCsvHeader('data/sea_concepts_50k.csv'); // ['x1', 'x2', 'x3', 'y']
 */
export async function readCsvHeader(path: string, options: Pick<CsvOptions, 'delimiter'> = {}): Promise<string[]> {
  const delimiter = options.delimiter ?? ',';
  const parser = await openCsv(path, delimiter);
  try {
    const header = await new Promise<string[] | undefined>((resolve, reject) => {
      parser.once('headers', resolve);
      parser.once('end', () => resolve(undefined));
      parser.once('error', reject);
      parser.resume();
    });
    if (header === undefined) throw emptyFile(path);
    return header;
  } catch (error) {
    if (error instanceof SourceError) throw error;
    throw new SourceError(`cannot read the header of CSV file "${path}": ${describe(error)}`, { cause: error });
  } finally {
    parser.destroy();
  }
}

/** Opens the file (so a missing one fails here, clearly) and pipes it into a fast-csv parser. */
async function openCsv(path: string, delimiter: string): Promise<CsvParserStream<Fields, Fields>> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new SourceError(
      `cannot open CSV file "${path}": ${describe(error)}; check the path and that the file is readable`,
      { cause: error },
    );
  }
  const parser = parse<Fields, Fields>({
    headers: true,
    strictColumnHandling: true,
    ignoreEmpty: true,
    trim: true,
    delimiter,
  });
  // pipeline forwards read errors to the parser and closes the file when the parser is destroyed.
  pipeline(handle.createReadStream(), parser, () => {});
  return parser;
}

/** Joins fields back into one CSV line, quoting those that need it. */
function joinCsv(values: readonly string[], delimiter: string): string {
  return values
    .map((v) => (v.includes(delimiter) || /["\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v))
    .join(delimiter);
}

function emptyFile(path: string): SourceError {
  return new SourceError(`CSV file "${path}" is empty: expected a header row naming the columns, then one row per record`);
}

/** The error's message on one short line: fast-csv quotes the unparsed rest of the file, which can be all of it. */
function describe(error: unknown): string {
  const message = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ');
  return message.length > 200 ? `${message.slice(0, 197)}...` : message;
}
