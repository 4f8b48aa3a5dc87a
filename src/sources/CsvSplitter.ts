import { csvQuotedRow } from './csvQuotedRow.js';
import { joinCsv } from './joinCsv.js';

const LF = 10;

/**
 * Splits CSV text, fed chunk by chunk, into rows exactly as fast-csv 5 does with `trim: true`
 * (rows end at `\r\n`, `\n` or `\r`; cells are trimmed; a blank line is a row of one empty cell),
 * but fast: a line without a quote is split on the delimiter directly (`String.split`, the cells
 * trimmed only when an edge is white space) and its text is the record's raw text; only a row
 * holding a quote goes through {@link csvQuotedRow}, a port of fast-csv's row parser. After
 * {@link CsvSplitter.push}, {@link CsvSplitter.next} returns the complete rows one by one; the
 * incomplete end of the text waits for the next chunk (or {@link CsvSplitter.end}).
 *
 * @example
 * const splitter = new CsvSplitter(',');
 * splitter.push('a,b\n1, 2\n"x,', false);
 * splitter.next(); // ['a', 'b']   (splitter.raw: 'a,b')
 * splitter.next(); // ['1', '2']   (splitter.raw: '1,2')
 * splitter.next(); // undefined: the quoted row goes on in the next chunk
 */
export class CsvSplitter {
  /** The raw text of the row `next()` returned last: the line itself, or the cells joined again (quoted where needed). */
  raw = '';
  readonly #delimiter: string;
  #text = '';
  #pos = 0;
  #final = false;
  /** Next `\n`, `\r` and `"` at or after #pos (-1: none in #text); recomputed when #pos passes them. */
  #lf = -1;
  #cr = -1;
  #quote = -1;

  constructor(delimiter: string) {
    this.#delimiter = delimiter;
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

  /** The next complete row's cells, or undefined until more text comes. Throws fast-csv's "Parse Error" for a broken quote. */
  next(): string[] | undefined {
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
      line = text.slice(pos, end);
    }
    this.#pos = next;
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

  #quoted(text: string, pos: number): string[] | undefined {
    const row = csvQuotedRow(text, pos, this.#delimiter, this.#final);
    if (row === null) return undefined;
    this.#pos = row.end;
    this.raw = joinCsv(row.cells, this.#delimiter);
    return row.cells;
  }
}
