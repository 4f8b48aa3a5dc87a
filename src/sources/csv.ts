import { open, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { SourceError } from '../errors.js';
import type { RawRecord } from '../types.js';
import { CsvSplitter } from './CsvSplitter.js';
import { fastCsvRows } from './fastCsvRows.js';
import { joinCsv } from './joinCsv.js';

/** Settings of {@link readCsv} and {@link readCsvHeader}. */
export interface CsvOptions {
  /** Field separator, one character. Default `,`. */
  readonly delimiter?: string;
  /** Column whose value becomes `RawRecord.key` (the routing key). */
  readonly keyField?: string;
  /**
   * How a record holds its cells: `fields`, an object by column name (the default), or `values`,
   * the row's cells in header order with `columns` naming them (the header array, shared): no
   * object per record, and decode finds the columns by position.
   */
  readonly shape?: 'fields' | 'values';
  /**
   * Which parser splits the rows: `fast` (the default: a plain split for lines without quotes, a
   * port of fast-csv's row parser for the others) or `fast-csv` itself (the reference the tests
   * and the stage benchmark compare with, slower). On well-formed CSV both give the same records,
   * but `fast-csv` counts positions in rows, not lines, and stops at the first malformed record
   * (a `SourceError`) where `fast` dead-letters it and goes on.
   */
  readonly parser?: 'fast' | 'fast-csv';
  /**
   * The longest record, in characters (`csv.maxRecordChars`; default 1 MiB): a longer one, or one
   * whose quote stays open that long, becomes a `malformed_csv` record. Never more is buffered.
   */
  readonly maxRecordChars?: number;
}

/** The default of {@link CsvOptions.maxRecordChars}, as in the config. */
const MAX_RECORD_CHARS = 1_048_576;

/** Bytes read from the file at a time. */
const CHUNK_BYTES = 256 * 1024;
/** Records per chunk when the rows come one by one (the fast-csv parser). */
const CHUNK_RECORDS = 1024;

/**
 * Streams a CSV file with a header row as raw records, pulled one at a time (the file is never
 * read whole, and a slow consumer slows the reading). Rows whose column count differs from the
 * header become records with `error.reason = 'column_count'`, in file order, never dropped. A
 * record that cannot be parsed (a quote never closed, text after a closing quote) or is longer
 * than `maxRecordChars` becomes a record with `error.reason = 'malformed_csv'`, positioned at
 * the line where it began, its raw text that line (cut to 4096 characters); reading goes on at
 * the next line. Positions are 1-based physical lines (line breaks inside quoted fields count).
 * Blank lines are skipped (a row of empty cells, `,,`, is a record: decode rejects it). A
 * missing, unreadable or empty file (no header) throws a `SourceError` when iterated, as does a
 * header row that cannot be parsed.
 *
 * @example
 * for await (const record of readCsv('data/elec2.csv')) {
 *   record.fields; // { date: '0', day: '2', ..., class: '1' }
 *   record.position; // 'data/elec2.csv:2'
 * }
 */
export async function* readCsv(path: string, options: CsvOptions = {}): AsyncGenerator<RawRecord> {
  for await (const chunk of readCsvChunks(path, options)) yield* chunk;
}

/**
 * {@link readCsv}'s records a chunk at a time: the rows of each block read from the file (at
 * most {@link CHUNK_RECORDS} a chunk with the fast-csv parser). Same records, same errors: the
 * records before an error come out in a last chunk before it is thrown.
 *
 * @example
 * for await (const chunk of readCsvChunks('data/elec2.csv', { shape: 'values' })) count += chunk.length;
 */
export async function* readCsvChunks(path: string, options: CsvOptions = {}): AsyncGenerator<RawRecord[]> {
  const delimiter = checkDelimiter(path, options.delimiter ?? ',');
  const records = new CsvRecords(path, options);
  const handle = await openFile(path);
  let chunk: RawRecord[] = [];
  try {
    if (options.parser === 'fast-csv') {
      let row = 0;
      for await (const cells of fastCsvRows(handle, delimiter)) {
        const record = records.next(cells, joinCsv(cells, delimiter), ++row);
        if (record !== undefined) chunk.push(record);
        if (chunk.length >= CHUNK_RECORDS) {
          yield chunk;
          chunk = [];
        }
      }
    } else {
      const splitter = new CsvSplitter(delimiter, maxRecordChars(path, options));
      for await (const final of feed(handle, splitter)) {
        for (let cells = splitter.next(); cells !== undefined; cells = splitter.next()) {
          const record =
            splitter.malformed === undefined
              ? records.next(cells, splitter.raw, splitter.line)
              : records.malformed(splitter.raw, splitter.line, splitter.malformed);
          if (record !== undefined) chunk.push(record);
        }
        if (chunk.length > 0) {
          yield chunk;
          chunk = [];
        }
        if (final) break;
      }
    }
    if (chunk.length > 0) {
      yield chunk;
      chunk = [];
    }
  } catch (error) {
    if (chunk.length > 0) yield chunk; // the records read before the error are delivered first
    throw new SourceError(
      `cannot read CSV file "${path}" near line ${records.line + 1}: ${describe(error)}; check that the file is valid CSV with delimiter ${JSON.stringify(delimiter)}`,
      { cause: error },
    );
  } finally {
    await handle.close().catch(() => {});
  }
  if (records.header === undefined) throw emptyFile(path);
}

/**
 * Reads only the header row of a CSV file (the column names, BOM and surrounding spaces removed).
 * Throws a `SourceError` when the file is missing, unreadable or empty.
 *
 * @example
 * await readCsvHeader('data/sea_concepts_50k.csv'); // ['x1', 'x2', 'x3', 'y']
 */
export async function readCsvHeader(path: string, options: Pick<CsvOptions, 'delimiter' | 'maxRecordChars'> = {}): Promise<string[]> {
  const delimiter = checkDelimiter(path, options.delimiter ?? ',');
  const handle = await openFile(path);
  try {
    const splitter = new CsvSplitter(delimiter, maxRecordChars(path, options));
    for await (const final of feed(handle, splitter)) {
      for (let cells = splitter.next(); cells !== undefined; cells = splitter.next()) {
        if (splitter.malformed !== undefined) throw new Error(`line ${splitter.line}: ${splitter.malformed}`);
        if (!isBlank(cells)) return cleanHeader(cells);
      }
      if (final) break;
    }
  } catch (error) {
    throw new SourceError(`cannot read the header of CSV file "${path}": ${describe(error)}`, { cause: error });
  } finally {
    await handle.close().catch(() => {});
  }
  throw emptyFile(path);
}

/** Turns rows into records: takes the header, checks arity, makes malformed rows records. */
class CsvRecords {
  header: string[] | undefined;
  /** 1-based line of the last row seen. */
  line = 0;
  #index = 0;
  #keyColumn = -1;
  readonly #path: string;
  readonly #options: CsvOptions;

  constructor(path: string, options: CsvOptions) {
    this.#path = path;
    this.#options = options;
  }

  /** The record of a row that began on `line`, or undefined for the header and blank lines. */
  next(cells: string[], raw: string, line: number): RawRecord | undefined {
    this.line = line;
    if (isBlank(cells)) return undefined;
    const header = this.header;
    if (header === undefined) {
      this.header = cleanHeader(cells);
      const keyField = this.#options.keyField;
      this.#keyColumn = keyField === undefined || keyField === '__proto__' ? -1 : this.header.lastIndexOf(keyField);
      return undefined;
    }
    const position = `${this.#path}:${line}`;
    if (cells.length !== header.length) {
      return {
        index: this.#index++,
        position,
        raw,
        error: { reason: 'column_count', detail: `expected ${header.length} columns (the header), got ${cells.length}` },
      };
    }
    const key = this.#keyColumn === -1 ? undefined : cells[this.#keyColumn];
    if (this.#options.shape === 'values') {
      return key
        ? { index: this.#index++, position, key, raw, values: cells, columns: header }
        : { index: this.#index++, position, raw, values: cells, columns: header };
    }
    const fields: Record<string, string> = {};
    for (let i = 0; i < header.length; i++) fields[header[i]!] = cells[i]!;
    return { index: this.#index++, position, raw, fields, ...(key ? { key } : {}) };
  }

  /** The record of a row that could not be parsed (see CsvSplitter); the header must come first. */
  malformed(raw: string, line: number, why: string): RawRecord {
    this.line = line;
    if (this.header === undefined) throw new Error(`the header row on line ${line} cannot be parsed: ${why}`);
    const detail = `line ${line} is not valid CSV: ${why}`;
    return { index: this.#index++, position: `${this.#path}:${line}`, raw, error: { reason: 'malformed_csv', detail } };
  }
}

/** The configured longest record, checked. */
function maxRecordChars(path: string, options: Pick<CsvOptions, 'maxRecordChars'>): number {
  const max = options.maxRecordChars ?? MAX_RECORD_CHARS;
  if (!Number.isInteger(max) || max < 1) {
    throw new SourceError(`cannot read CSV file "${path}" with csv.maxRecordChars ${max}: it must be a positive integer`);
  }
  return max;
}

/**
 * Feeds the file's text to the splitter, a chunk at a time; yields after each chunk, `true` after
 * the last (the splitter then holds every row). The UTF-8 decoding is fast-csv's: a character
 * split across chunks is joined, invalid bytes become U+FFFD, a BOM at the start is dropped.
 */
async function* feed(handle: FileHandle, splitter: CsvSplitter): AsyncGenerator<boolean> {
  const stream: Readable = handle.createReadStream({ highWaterMark: CHUNK_BYTES, autoClose: false });
  const decoder = new StringDecoder('utf8');
  let first = true;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let text = decoder.write(chunk);
      if (first && text.length > 0) {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        first = false;
      }
      splitter.push(text, false);
      yield false;
    }
    const rest = decoder.end();
    splitter.push(first && rest.charCodeAt(0) === 0xfeff ? rest.slice(1) : rest, true);
    yield true;
  } finally {
    stream.destroy();
  }
}

/** A blank line: no cell, or one empty cell. */
function isBlank(row: readonly string[]): boolean {
  return row.length === 0 || (row.length === 1 && row[0] === '');
}

/** Column names without a UTF-8 BOM before the first one. */
function cleanHeader(row: readonly string[]): string[] {
  return row.map((name, i) => (i === 0 ? name.replace(/^\uFEFF\s*/, '') : name));
}

function checkDelimiter(path: string, delimiter: string): string {
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\r' || delimiter === '\n') {
    throw new SourceError(
      `cannot read CSV file "${path}" with delimiter ${JSON.stringify(delimiter)}: the delimiter must be one character, not a quote or a line break`,
    );
  }
  return delimiter;
}

/** Opens the file, so a missing one fails here, clearly. */
async function openFile(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch (error) {
    throw new SourceError(
      `cannot open CSV file "${path}": ${describe(error)}; check the path and that the file is readable`,
      { cause: error },
    );
  }
}

function emptyFile(path: string): SourceError {
  return new SourceError(`CSV file "${path}" is empty: expected a header row naming the columns, then one row per record`);
}

/** The error's message on one short line: a parse error quotes the unparsed rest of the file, which can be all of it. */
function describe(error: unknown): string {
  const message = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ');
  return message.length > 200 ? `${message.slice(0, 197)}...` : message;
}
