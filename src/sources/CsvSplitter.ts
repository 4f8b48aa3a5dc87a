import { csvQuotedRow } from './csvQuotedRow.js';
import { joinCsv } from './joinCsv.js';

const LF = 10;
const CR = 13;
/** The longest raw text kept for a malformed record (its first line, cut here, or at the longest record plus one). */
const MALFORMED_RAW_CHARS = 4096;
/** What {@link CsvSplitter.next} returns for a malformed record: no cells (see `malformed`). */
const NO_CELLS: string[] = [];

/**
 * Splits CSV text, fed chunk by chunk, into rows exactly as fast-csv 5 does with `trim: true`
 * (rows end at `\r\n`, `\n` or `\r`; cells are trimmed; a blank line is a row of one empty cell),
 * but fast: a line without a quote is split on the delimiter directly (`String.split`, the cells
 * trimmed only when an edge is white space) and its text is the record's raw text; only a row
 * holding a quote goes through {@link csvQuotedRow}, a port of fast-csv's row parser. After
 * {@link CsvSplitter.push}, {@link CsvSplitter.next} returns the complete rows one by one; the
 * incomplete end of the text waits for the next chunk.
 *
 * Where fast-csv stops, this goes on: a record that cannot be parsed (a quote never closed before
 * the end of the text or before `maxChars`, text after a closing quote) or that is longer than
 * `maxChars` characters comes out as a malformed row (no cells, `malformed` telling why, `raw` its
 * first line, at most {@link MALFORMED_RAW_CHARS} characters), and splitting resumes at the line
 * after the one where it began. `line` is the 1-based line where the row returned last began,
 * counting every `\r\n`, `\n` or `\r`, those inside quoted fields included. The text held never
 * exceeds `maxChars` (plus a chunk): a longer line is skipped, not buffered.
 *
 * @example
 * const splitter = new CsvSplitter(',');
 * splitter.push('a,b\n1, 2\n"x,', false);
 * splitter.next(); // ['a', 'b']   (splitter.raw: 'a,b', splitter.line: 1)
 * splitter.next(); // ['1', '2']   (splitter.raw: '1,2', splitter.line: 2)
 * splitter.next(); // undefined: the quoted row goes on in the next chunk
 * splitter.push('y\n1,"a"b\n', true);
 * splitter.next(); // ['x,\ny']    (splitter.line: 3)
 * splitter.next(); // []           (splitter.malformed: 'Parse Error: expected "," ...', splitter.line: 5)
 */
export class CsvSplitter {
  /** The raw text of the row `next()` returned last: the line itself, or the cells joined again (quoted where needed). */
  raw = '';
  /** The 1-based line where the row `next()` returned last began. */
  line = 0;
  /** Why the row `next()` returned last could not be parsed (it then has no cells), or undefined for a good row. */
  malformed: string | undefined;
  readonly #delimiter: string;
  readonly #maxChars: number;
  #text = '';
  #pos = 0;
  #final = false;
  /** The line at #pos. */
  #nextLine = 1;
  /** Skipping the rest of a line longer than #maxChars (already returned as malformed): drop text up to its line break. */
  #skipping = false;
  /** Next `\n`, `\r` and `"` at or after #pos (-1: none in #text); recomputed when #pos passes them. */
  #lf = -1;
  #cr = -1;
  #quote = -1;

  /** `maxChars`: the longest record, in characters, line breaks inside quoted fields included (not the one ending it). */
  constructor(delimiter: string, maxChars = Number.MAX_SAFE_INTEGER) {
    this.#delimiter = delimiter;
    this.#maxChars = maxChars;
  }

  /** Characters held for rows still to come: at most `maxChars` + 2 and the last chunk pushed. */
  get buffered(): number {
    return this.#text.length - this.#pos;
  }

  /** Adds text (decoded from the file); `final` when it is the last of it. */
  push(chunk: string, final: boolean): void {
    this.#text = this.#pos < this.#text.length ? this.#text.slice(this.#pos) + chunk : chunk;
    this.#pos = 0;
    this.#final = final;
    this.#lf = this.#text.indexOf('\n');
    this.#cr = this.#text.indexOf('\r');
    this.#quote = this.#text.indexOf('"');
  }

  /** The next complete row's cells, or undefined until more text comes. A malformed record gives no cells and sets `malformed`. */
  next(): string[] | undefined {
    if (this.#skipping && !this.#skip()) return undefined;
    const text = this.#text;
    const pos = this.#pos;
    if (pos >= text.length) return undefined;
    if (this.#lf !== -1 && this.#lf < pos) this.#lf = text.indexOf('\n', pos);
    if (this.#cr !== -1 && this.#cr < pos) this.#cr = text.indexOf('\r', pos);
    if (this.#quote !== -1 && this.#quote < pos) this.#quote = text.indexOf('"', pos);
    const lf = this.#lf;
    const cr = this.#cr;
    const end = lf === -1 ? cr : cr === -1 ? lf : Math.min(lf, cr);
    const quote = this.#quote;
    if (quote !== -1 && (end === -1 || quote < end)) return this.#quoted(text, pos);
    let next: number;
    let line: string;
    if (end === -1) {
      if (text.length - pos > this.#maxChars) return this.#bad(text, pos, this.#tooLong());
      if (!this.#final) return undefined;
      line = text.slice(pos);
      next = text.length;
    } else {
      if (end === cr) {
        if (end + 1 >= text.length && !this.#final) return undefined; // maybe the CR of a CRLF
        next = text.charCodeAt(end + 1) === LF ? end + 2 : end + 1;
      } else {
        next = end + 1;
      }
      if (end - pos > this.#maxChars) return this.#bad(text, pos, this.#tooLong());
      line = text.slice(pos, end);
    }
    this.#pos = next;
    this.line = this.#nextLine++;
    this.malformed = undefined;
    return this.#split(line);
  }

  /** A line without quotes: split on the delimiter, cells trimmed where an edge may be white space. */
  #split(line: string): string[] {
    const cells = line.split(this.#delimiter);
    let trimmed = false;
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[i]!;
      const n = cell.length;
      if (n === 0) continue;
      const first = cell.charCodeAt(0);
      const last = cell.charCodeAt(n - 1);
      if (first <= 32 || first >= 127 || last <= 32 || last >= 127) {
        const t = cell.trim();
        if (t.length !== n) {
          cells[i] = t;
          trimmed = true;
        }
      }
    }
    this.raw = trimmed ? cells.join(this.#delimiter) : line;
    return cells;
  }

  /** A row holding a quote: parsed within #maxChars (and the line break after), or malformed. */
  #quoted(text: string, pos: number): string[] | undefined {
    // Enough to see a record of #maxChars characters and its line break, \r\n included; no more.
    const limit = Math.min(text.length, pos + this.#maxChars + 2);
    let row;
    try {
      row = csvQuotedRow(text, pos, this.#delimiter, this.#final && limit === text.length, limit);
    } catch (error) {
      return this.#bad(text, pos, `${(error as Error).message}; the record is skipped to the end of the line where it began`);
    }
    if (row === null) return limit < text.length ? this.#bad(text, pos, this.#tooLong()) : undefined;
    const breaks = lineBreaks(text, pos, row.end);
    if (row.end - pos - breaks.last > this.#maxChars) return this.#bad(text, pos, this.#tooLong());
    this.#pos = row.end;
    this.line = this.#nextLine;
    this.#nextLine += breaks.inside + (breaks.last > 0 ? 1 : 0);
    this.malformed = undefined;
    this.raw = joinCsv(row.cells, this.#delimiter);
    return row.cells;
  }

  /**
   * The record that begins at `pos` is malformed: returned as its first line (raw cut to
   * {@link MALFORMED_RAW_CHARS}), splitting to resume after that line. Undefined while that line's
   * end is still to come (unless it is already too long: then its rest is skipped as it comes).
   */
  #bad(text: string, pos: number, why: string): string[] | undefined {
    // next() has moved the cached line breaks to the first at or after pos.
    const cr = this.#cr;
    let end = this.#lf;
    if (cr !== -1 && (end === -1 || cr < end)) end = cr;
    let next: number;
    if (end === -1) {
      if (this.#final) {
        end = next = text.length;
      } else if (text.length - pos > this.#maxChars) {
        end = next = text.length;
        this.#skipping = true;
      } else {
        return undefined;
      }
    } else if (end === cr) {
      if (end + 1 >= text.length && !this.#final) return undefined; // maybe the CR of a CRLF
      next = text.charCodeAt(end + 1) === LF ? end + 2 : end + 1;
    } else {
      next = end + 1;
    }
    this.#pos = next;
    this.line = this.#nextLine++;
    // A first line too long says so, whatever else is wrong (and whichever chunk the text came in).
    this.malformed = end - pos > this.#maxChars ? this.#tooLong() : why;
    // Cut where every chunking has the text: a line skipped as too long is held up to #maxChars + 1.
    this.raw = text.slice(pos, Math.min(end, pos + Math.min(MALFORMED_RAW_CHARS, this.#maxChars + 1)));
    return NO_CELLS;
  }

  /** Drops the rest of a skipped line; true once its line break is passed (false: wait for more text). */
  #skip(): boolean {
    const text = this.#text;
    for (let i = this.#pos; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === LF) {
        this.#pos = i + 1;
        this.#skipping = false;
        return true;
      }
      if (c === CR) {
        if (i + 1 >= text.length && !this.#final) {
          this.#pos = i; // maybe the CR of a CRLF
          return false;
        }
        this.#pos = text.charCodeAt(i + 1) === LF ? i + 2 : i + 1;
        this.#skipping = false;
        return true;
      }
    }
    this.#pos = text.length;
    if (this.#final) this.#skipping = false;
    return false;
  }

  #tooLong(): string {
    return `the record is longer than ${this.#maxChars} characters (csv.maxRecordChars), or a quote in it is never closed; it is skipped to the end of the line where it began`;
  }
}

/** The line breaks in `text[from, to)`: how many before the last character(s), and the length of the one ending it (0, 1 or 2). */
function lineBreaks(text: string, from: number, to: number): { inside: number; last: number } {
  let last = 0;
  if (to > from) {
    const c = text.charCodeAt(to - 1);
    if (c === LF) last = to - 2 >= from && text.charCodeAt(to - 2) === CR ? 2 : 1;
    else if (c === CR) last = 1;
  }
  let inside = 0;
  const stop = to - last;
  for (let i = from; i < stop; i++) {
    const c = text.charCodeAt(i);
    if (c === LF || (c === CR && (i + 1 >= stop || text.charCodeAt(i + 1) !== LF))) inside++;
  }
  return { inside, last };
}
