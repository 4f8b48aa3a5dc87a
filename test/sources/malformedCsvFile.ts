import { seededRandom } from '../support/seededRandom.js';

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
 * The malformed kinds, one row each (a long kind may add a continuation line): how its text is
 * built, and what comes out of each of its lines. Every one breaks the record it begins whatever
 * follows: the good rows' quoted fields all start with a letter, so a quote left open is closed,
 * at the latest, by the next quote in the file and then followed by a letter (or runs past the
 * limit, or to the end).
 */
const BAD_KINDS: ReadonlyArray<{ kind: string; rows: (id: number, eol: string, max: number) => string; continuation?: 'column_count' }> = [
  { kind: 'unclosed', rows: (id) => `${id},"2,n,0` },
  { kind: 'text after quote', rows: (id) => `"${id}"x,2,n,0` },
  { kind: 'space then text after quote', rows: (id) => `"${id}" 5,2,n,0` },
  { kind: 'doubled quote then text', rows: (id) => `"${id}""x"y,2,n,0` },
  { kind: 'quote in a later cell', rows: (id) => `${id},2,"n"n,0` },
  { kind: 'too long, unquoted', rows: (id, _, max) => `${id},${'9'.repeat(max)},n,0` },
  // Its first line is too long: dead-lettered; the rest of the quoted field is read as a row of 2 cells.
  { kind: 'too long, quoted over two lines', rows: (id, eol, max) => `${id},2,"${'z'.repeat(max)}${eol}zz",0`, continuation: 'column_count' },
];

/** Good rows: the `note` column (not a feature) in the ways CSV allows, line breaks in quotes included. */
const NOTES: ReadonlyArray<{ kind: string; note: (eol: string) => string }> = [
  { kind: 'plain', note: () => 'n' },
  { kind: 'plain', note: () => 'note' },
  { kind: 'quoted', note: () => '"a,b"' },
  { kind: 'doubled quotes', note: () => '"say ""hi"""' },
  { kind: 'two lines', note: (eol) => `"line one${eol}line two"` },
  { kind: 'three lines', note: (eol) => `"a${eol}b,${eol}c"` },
  { kind: 'stray quote in an unquoted cell', note: () => 'ab"c' },
];

/**
 * A CSV file (`x1,x2,note,y`) where `badFraction` of the rows are malformed in one of the ways
 * above, the others good (their `x1` is their id) with notes quoted, spanning lines or plain,
 * and a few blank lines; the last row is an unclosed quote, when any row is bad. Seeded: the
 * same settings, the same file.
 *
 * @example
 * const { text, expected } = malformedCsvFile({ rows: 1000, badFraction: 0.01, maxChars: 200 });
 */
export function malformedCsvFile(settings: MalformedCsvSettings): MalformedCsvFile {
  const { rows, badFraction, maxChars, eol = '\n', seed = 1 } = settings;
  const rand = seededRandom(seed);
  const parts: string[] = ['x1,x2,note,y'];
  const expected: ExpectedCsvRecord[] = [];
  let line = 2;
  let id = 0;
  const add = (text: string): void => {
    parts.push(text);
    line += text.split(/\r\n|\r|\n/).length;
  };
  let badKind = 0;
  const last = badFraction > 0 ? rows - 1 : rows;
  for (let r = 0; r < last; r++) {
    const roll = rand();
    if (roll < badFraction) {
      const bad = BAD_KINDS[badKind++ % BAD_KINDS.length]!;
      expected.push({ line, outcome: 'malformed_csv', kind: bad.kind });
      if (bad.continuation) expected.push({ line: line + 1, outcome: bad.continuation, kind: `${bad.kind}: continuation` });
      add(bad.rows(++id, eol, maxChars));
    } else if (roll < badFraction + 0.01) {
      add(rand() < 0.5 ? '' : '  ');
    } else {
      const note = NOTES[Math.floor(rand() * NOTES.length)]!;
      expected.push({ line, outcome: 'ok', kind: note.kind, id: ++id });
      add(`${id},${(id % 7) * 0.5},${note.note(eol)},${id % 2}`);
    }
  }
  if (badFraction > 0) {
    expected.push({ line, outcome: 'malformed_csv', kind: 'unclosed at the end of the file' });
    add(`${++id},"2,n,0`);
  }
  return { text: parts.join(eol) + eol, expected };
}
