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

type Row = string[];

/**
 * Streams a CSV file with a header row as raw records, pulled one at a time (the file is never
 * read whole, and a slow consumer slows the reading). Rows whose column count differs from the
 * header become records with `error.reason = 'column_count'`, in file order, never dropped.
 * Blank lines are skipped (a row of empty cells, `,,`, is a record: decode rejects it). A
 * missing, unreadable or empty file (no header) throws a `SourceError` when iterated.
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
  let index = 0;
  // 1-based line of the current row, counting blank lines; a quoted field spanning several lines
  // shifts the real line further down.
  let line = 0;
  try {
    for await (const row of parser as AsyncIterable<Row>) {
      line++;
      if (isBlank(row)) continue;
      if (header === undefined) {
        header = cleanHeader(row);
        continue;
      }
      const position = `${path}:${line}`;
      const raw = joinCsv(row, delimiter);
      if (row.length !== header.length) {
        yield {
          index: index++,
          position,
          raw,
          error: { reason: 'column_count', detail: `expected ${header.length} columns (the header), got ${row.length}` },
        };
        continue;
      }
      const fields: Record<string, string> = {};
      header.forEach((name, i) => (fields[name] = row[i] as string));
      const key = options.keyField === undefined ? undefined : fields[options.keyField];
      yield { index: index++, position, raw, fields, ...(key ? { key } : {}) };
    }
  } catch (error) {
    throw new SourceError(
      `cannot read CSV file "${path}" near line ${line + 1}: ${describe(error)}; check that the file is valid CSV with delimiter ${JSON.stringify(delimiter)}`,
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
  const parser = await openCsv(path, options.delimiter ?? ',');
  try {
    for await (const row of parser as AsyncIterable<Row>) {
      if (!isBlank(row)) return cleanHeader(row);
    }
  } catch (error) {
    throw new SourceError(`cannot read the header of CSV file "${path}": ${describe(error)}`, { cause: error });
  } finally {
    parser.destroy();
  }
  throw emptyFile(path);
}

/** A blank line: no cell, or one empty cell. */
function isBlank(row: Row): boolean {
  return row.length === 0 || (row.length === 1 && row[0] === '');
}

/** Column names without a UTF-8 BOM before the first one. */
function cleanHeader(row: Row): string[] {
  return row.map((name, i) => (i === 0 ? name.replace(/^\uFEFF\s*/, '') : name));
}

/** Opens the file (so a missing one fails here, clearly) and pipes it into a fast-csv parser. */
async function openCsv(path: string, delimiter: string): Promise<CsvParserStream<Row, Row>> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new SourceError(
      `cannot open CSV file "${path}": ${describe(error)}; check the path and that the file is readable`,
      { cause: error },
    );
  }
  // Rows as arrays: readCsv takes the header and checks arity itself, and skips blank lines itself
  // (fast-csv's ignoreEmpty would also drop rows of empty cells, which must be rejected instead).
  const parser = parse<Row, Row>({ headers: false, ignoreEmpty: false, trim: true, delimiter });
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
