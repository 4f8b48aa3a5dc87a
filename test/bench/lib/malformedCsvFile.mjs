/**
 * Generates CSV files with malformed quoting of every kind and what a reader must make of each
 * record: shared by test/sources/csvMalformed.test.ts (types in malformedCsvFile.d.mts) and the
 * million-row check of test/bench/malformedCsv.mjs.
 */

/** Park-Miller minimal standard, as test/support/seededRandom.ts: numbers in (0, 1). */
function seededRandom(seed) {
  let state = Math.floor(Math.abs(seed)) % 2147483647 || 1;
  return () => (state = (state * 16807) % 2147483647) / 2147483647;
}

/**
 * The malformed kinds, one row each (a long kind may add a continuation line): how its text is
 * built, and what comes out of each of its lines. Every one breaks the record it begins whatever
 * follows: the good rows' quoted fields all start with a letter, so a quote left open is closed,
 * at the latest, by the next quote in the file and then followed by a letter (or runs past the
 * limit, or to the end).
 */
const BAD_KINDS = [
  { kind: 'unclosed', rows: (id) => `${id},"2,n,0` },
  { kind: 'text after quote', rows: (id) => `"${id}"x,2,n,0` },
  { kind: 'space then text after quote', rows: (id) => `"${id}" 5,2,n,0` },
  { kind: 'doubled quote then text', rows: (id) => `"${id}""x"y,2,n,0` },
  { kind: 'quote in a later cell', rows: (id) => `${id},2,"n"n,0` },
  { kind: 'too long, unquoted', rows: (id, _eol, max) => `${id},${'9'.repeat(max)},n,0` },
  // Its first line is too long: dead-lettered; the rest of the quoted field is read as a row of 2 cells.
  { kind: 'too long, quoted over two lines', rows: (id, eol, max) => `${id},2,"${'z'.repeat(max)}${eol}zz",0`, continuation: 'column_count' },
];

/** Good rows: the `note` column (not a feature) in the ways CSV allows, line breaks in quotes included. */
const NOTES = [
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
export function malformedCsvFile(settings) {
  const { rows, badFraction, maxChars, eol = '\n', seed = 1 } = settings;
  const rand = seededRandom(seed);
  const parts = ['x1,x2,note,y'];
  const expected = [];
  let line = 2;
  let id = 0;
  const add = (text) => {
    parts.push(text);
    line += text.split(/\r\n|\r|\n/).length;
  };
  let badKind = 0;
  const last = badFraction > 0 ? rows - 1 : rows;
  for (let r = 0; r < last; r++) {
    const roll = rand();
    if (roll < badFraction) {
      const bad = BAD_KINDS[badKind++ % BAD_KINDS.length];
      expected.push({ line, outcome: 'malformed_csv', kind: bad.kind });
      if (bad.continuation) expected.push({ line: line + 1, outcome: bad.continuation, kind: `${bad.kind}: continuation` });
      add(bad.rows(++id, eol, maxChars));
    } else if (roll < badFraction + 0.01) {
      add(rand() < 0.5 ? '' : '  ');
    } else {
      const note = NOTES[Math.floor(rand() * NOTES.length)];
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
