/** A row parsed by {@link csvQuotedRow}: its cells and where the text after it starts. */
export interface QuotedRow {
  readonly cells: string[];
  readonly end: number;
}

const QUOTE = 34;
const CR = 13;
const LF = 10;

/**
 * Parses the one CSV row that starts at `start` in `text`, the way fast-csv 5 does (`trim: true`,
 * `"` quotes, `""` for a quote inside quotes): a column whose first non-space character is a quote
 * is quoted (it may hold delimiters and line breaks; its content is trimmed too), any other column
 * runs to the next delimiter or line break; rows end at `\r\n`, `\n` or `\r`. Only `text` before
 * `limit` is looked at (the caller's bound on a record's length; `final` then means that `limit`
 * is the end of the data). Returns null when the row may go on past `limit` (`final` false), and
 * throws a "Parse Error" (as fast-csv does, with a short message) for a quote that never closes
 * before the end of the data, or text after a closing quote. Used for the rows that hold a quote;
 * the others take a plain split.
 *
 * @example
 * csvQuotedRow('"a,b", c\nrest', 0, ',', false); // { cells: ['a,b', 'c'], end: 9 }
 * csvQuotedRow('"a\n', 0, ',', false);           // null: the quote may close in the next chunk
 */
export function csvQuotedRow(text: string, start: number, delimiter: string, final: boolean, limit = text.length): QuotedRow | null {
  const length = limit;
  const delim = delimiter.charCodeAt(0);
  const cells: string[] = [];
  let cursor = start;
  let token = nextToken(text, cursor, delim, length);
  if (token !== -1 && text.charCodeAt(token) === delim) cells.push('');
  while (token !== -1) {
    const c = text.charCodeAt(token);
    if (c === CR || c === LF) {
      const crlf = c === CR && token + 1 < length && text.charCodeAt(token + 1) === LF;
      cursor = token + (crlf ? 2 : 1);
      // A CR at the very end may be the first half of a CRLF still to come.
      if (cursor >= length && c === CR && !crlf && !final) return null;
      return { cells, end: cursor };
    }
    let skip = false;
    if (c === delim) {
      cursor = token + 1;
      const next = cursor < length ? text.charCodeAt(cursor) : -1;
      if (next === -1 || next === CR || next === LF || next === delim) {
        cells.push('');
        skip = true;
      }
    }
    if (!skip) {
      const first = nextToken(text, cursor, delim, length);
      if (first !== -1 && text.charCodeAt(first) === QUOTE) {
        const column = quotedColumn(text, first, delimiter, final, length);
        if (column === null) return null;
        cells.push(column.value);
        cursor = column.end;
      } else {
        if (cursor >= length) return null;
        let end = cursor;
        for (; end < length; end++) {
          const e = text.charCodeAt(end);
          if (e === delim || e === CR || e === LF) break;
        }
        cells.push(text.slice(cursor, end).trim());
        cursor = end;
      }
    }
    token = nextToken(text, cursor, delim, length);
  }
  return final ? { cells, end: cursor } : null;
}

/** A quoted column from its opening quote at `at`: its trimmed value and where the cursor stops. */
function quotedColumn(
  text: string,
  at: number,
  delimiter: string,
  final: boolean,
  length: number,
): { value: string; end: number } | null {
  let value = '';
  let i = at + 1;
  let closed = false;
  while (i < length) {
    const quote = text.indexOf('"', i);
    if (quote === -1 || quote >= length) break;
    value += text.slice(i, quote);
    if (quote + 1 < length && text.charCodeAt(quote + 1) === QUOTE) {
      value += '"';
      i = quote + 2;
    } else {
      i = quote + 1;
      closed = true;
      break;
    }
  }
  if (!closed) {
    if (!final) return null;
    throw new Error(`Parse Error: the quote that opens ${preview(text, at, length)} is never closed`);
  }
  // What follows the closing quote (past spaces) must be a delimiter or a line break.
  const delim = delimiter.charCodeAt(0);
  const next = nextToken(text, i, delim, length);
  let end = i;
  if (next !== -1) {
    const c = text.charCodeAt(next);
    if (c !== delim && c !== CR && c !== LF) {
      throw new Error(
        `Parse Error: expected ${JSON.stringify(delimiter)} or a line break after the closing quote, got ${JSON.stringify(text[next])}`,
      );
    }
    end = next;
  } else if (final) {
    end = length;
  }
  return { value: value.trim(), end };
}

/** Index of the first character at or after `from` that is not white space, or is a line break or the delimiter; -1 if none. */
function nextToken(text: string, from: number, delim: number, length: number): number {
  for (let i = from; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === delim || c === CR || c === LF || !isSpace(c)) return i;
  }
  return -1;
}

/** JavaScript's `\s`: ASCII white space, NBSP, the Unicode space separators, line/paragraph separators and the BOM. */
function isSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** Up to 20 characters of `text` from `at`, as a JSON string (line breaks escaped): a message never quotes the rest of the file. */
function preview(text: string, at: number, length: number): string {
  const end = Math.min(length, at + 20);
  return JSON.stringify(text.slice(at, end)) + (end < length ? '...' : '');
}
