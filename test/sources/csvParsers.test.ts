import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceError } from '../../src/errors.js';
import { readCsv, type CsvOptions } from '../../src/sources/csv.js';
import { CsvSplitter } from '../../src/sources/CsvSplitter.js';
import type { RawRecord } from '../../src/types.js';

/**
 * The fast CSV path (CsvSplitter: a plain split for lines without quotes, a port of fast-csv's row
 * parser for the rest) must give exactly the records fast-csv gives on the files fast-csv reads:
 * cells, raw text, column_count rejects (positions differ by design: fast-csv's path counts rows,
 * the fast path physical lines, checked on their own below). On the files fast-csv fails on, the
 * fast path gives the same records up to a `malformed_csv` one, and goes on.
 */

let dir: string;
let serial = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'streamtune-csvparsers-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The records of a file, or the error that ended the reading. */
async function read(path: string, options: CsvOptions): Promise<{ records: RawRecord[]; error?: unknown }> {
  const records: RawRecord[] = [];
  try {
    for await (const record of readCsv(path, options)) records.push(record);
    return { records };
  } catch (error) {
    return { records, error };
  }
}

/** Both parsers over the same bytes; the fast one also with `values` records. */
async function both(bytes: Buffer, delimiter = ',', keyField?: string) {
  const path = join(dir, `f${++serial}.csv`);
  await writeFile(path, bytes);
  const base = { delimiter, ...(keyField === undefined ? {} : { keyField }) };
  const reference = await read(path, { ...base, parser: 'fast-csv' });
  const fast = await read(path, { ...base, parser: 'fast' });
  const values = await read(path, { ...base, parser: 'fast', shape: 'values' });
  return { reference, fast, values };
}

/** A cell as a writer would put it: plain, padded with spaces, or quoted (quotes doubled). */
const cellText = fc.oneof(
  fc.constantFrom('0', '1', '-2.5', '1e3', '', 'abc', 'x y', 'é', '😀', '\u00a0', '\ufeff7', 'NaN'),
  fc.string({ unit: fc.constantFrom('a', '1', '.', ' ', '\t', ',', ';', '"', '\r', '\n', '\u00a0', 'é'), maxLength: 6 }),
);
const cell = fc.tuple(cellText, fc.constantFrom('plain', 'plain', 'padded', 'quoted', 'quoted-padded')).map(([text, how]) => {
  const quoted = `"${text.replaceAll('"', '""')}"`;
  switch (how) {
    case 'padded':
      return ` ${text} `;
    case 'quoted':
      return quoted;
    case 'quoted-padded':
      return `  ${quoted} `;
    default:
      return text;
  }
});
/** A file: optional BOM, a header, rows of cells (some blank, some with a trailing delimiter), one line ending style. */
const csvText = fc
  .record({
    bom: fc.boolean(),
    eol: fc.constantFrom('\n', '\r\n', '\r'),
    trailingEol: fc.boolean(),
    width: fc.integer({ min: 1, max: 4 }),
    rows: fc.array(
      fc.oneof(
        { weight: 1, arbitrary: fc.constantFrom('', '   ', '\t') },
        { weight: 6, arbitrary: fc.tuple(fc.array(cell, { minLength: 1, maxLength: 5 }), fc.boolean()).map(([cells, trailing]) => cells.join(',') + (trailing ? ',' : '')) },
      ),
      { maxLength: 12 },
    ),
  })
  .map(({ bom, eol, trailingEol, width, rows }) => {
    const header = Array.from({ length: width }, (_, i) => `c${i}`).join(',');
    return (bom ? '\ufeff' : '') + [header, ...rows].join(eol) + (trailingEol ? eol : '');
  });

const unpositioned = (records: readonly RawRecord[]) => records.map(({ position: _, ...rest }) => rest);

function expectSame(outcome: Awaited<ReturnType<typeof both>>): void {
  const { reference, fast, values } = outcome;
  expect(fast.error).toBeUndefined();
  expect(values.error).toBeUndefined();
  // The values shape holds the same cells, in header order, named by `columns`.
  expect(values.records.map(({ values: cells, columns, ...rest }) => ({ ...rest, ...(cells ? { fields: named(columns!, cells) } : {}) }))).toEqual(
    fast.records,
  );
  const firstBad = fast.records.findIndex((r) => r.error?.reason === 'malformed_csv');
  if (reference.error !== undefined) {
    // fast-csv stops at a broken record (and loses the rows parsed in the same chunk before it); the fast path dead-letters it and goes on.
    expect(reference.error).toBeInstanceOf(SourceError);
    expect(firstBad).toBeGreaterThanOrEqual(0);
    expect(unpositioned(fast.records.slice(0, firstBad)).slice(0, reference.records.length)).toEqual(unpositioned(reference.records));
  } else {
    expect(firstBad).toBe(-1);
    expect(unpositioned(fast.records)).toEqual(unpositioned(reference.records));
  }
  // Positions are physical lines: increasing, past the header.
  const lines = fast.records.map((r) => Number(r.position.slice(r.position.lastIndexOf(':') + 1)));
  lines.forEach((line, i) => expect(line).toBeGreaterThan(i === 0 ? 1 : lines[i - 1]!));
}

function named(columns: readonly string[], cells: readonly unknown[]): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  columns.forEach((name, i) => (fields[name] = cells[i]));
  return fields;
}

describe('the fast CSV path agrees with fast-csv', () => {
  it('on random CSV files: quoted and unquoted cells, padding, CRLF/CR/LF, blank lines, BOM, trailing delimiters', async () => {
    await fc.assert(
      fc.asyncProperty(csvText, async (text) => expectSame(await both(Buffer.from(text)))),
      { numRuns: 300 },
    );
  }, 120_000);

  it('on random text over the characters that matter (broken quotes included), with another delimiter and a key field', async () => {
    const noise = fc.string({ unit: fc.constantFrom('a', '1', ' ', ';', ',', '"', '\r', '\n', '\t'), maxLength: 60 });
    await fc.assert(
      fc.asyncProperty(noise, async (body) => expectSame(await both(Buffer.from(`k;x;y\n${body}`), ';', 'k'))),
      { numRuns: 300 },
    );
  }, 120_000);

  it('positions every record at the physical line where it began, line breaks inside quoted fields counted', async () => {
    // Each row's first cell says the line it begins on; its other cells quote whatever holds a line break.
    const safeCell = fc.tuple(cellText, fc.boolean()).map(([text, quote]) => (quote || /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text));
    const file = fc
      .record({
        eol: fc.constantFrom('\n', '\r\n', '\r'),
        rows: fc.array(fc.option(fc.array(safeCell, { minLength: 1, maxLength: 3 }), { freq: 5 }), { maxLength: 15 }),
      })
      .map(({ eol, rows }) => {
        let line = 2;
        const lines = ['n,c0,c1'];
        for (const cells of rows) {
          const row = cells === null ? '' : [`L${line}`, ...cells].join(',');
          lines.push(row);
          line += row.split(/\r\n|\r|\n/).length;
        }
        return lines.join(eol);
      });
    await fc.assert(
      fc.asyncProperty(file, async (text) => {
        const { fast } = await both(Buffer.from(text));
        expect(fast.error).toBeUndefined();
        for (const record of fast.records) expect(record.position.replace(/^.*:/, 'L')).toBe(/^L\d+/.exec(record.raw)?.[0]);
      }),
      { numRuns: 200 },
    );
  }, 120_000);

  it('on the real Elec2 file', async () => {
    const { readFile } = await import('node:fs/promises');
    const { sharedData } = await import('../support/sharedData.js');
    const outcome = await both(await readFile(sharedData('elec2.csv')));
    expect(outcome.reference.records.length).toBeGreaterThan(45_000);
    expectSame(outcome);
  }, 60_000);
});

describe('CsvSplitter', () => {
  /** Every row (cells and raw) of text fed in the given pieces. */
  function rows(pieces: readonly string[], delimiter = ','): Array<[string[], string]> {
    return lines(pieces, delimiter).map(([cells, raw]) => [cells, raw]);
  }
  /** Every row with its line and, when malformed, why. */
  function lines(pieces: readonly string[], delimiter = ',', maxChars?: number): Array<[string[], string, number, string?]> {
    const splitter = new CsvSplitter(delimiter, maxChars);
    const out: Array<[string[], string, number, string?]> = [];
    pieces.forEach((piece, i) => {
      splitter.push(piece, i === pieces.length - 1);
      for (let cells = splitter.next(); cells !== undefined; cells = splitter.next()) {
        out.push(splitter.malformed === undefined ? [cells, splitter.raw, splitter.line] : [cells, splitter.raw, splitter.line, splitter.malformed]);
      }
    });
    return out;
  }
  const noise = fc.string({ unit: fc.constantFrom('a', '1', ' ', ',', '"', '"', '\r', '\n', '\r\n'), maxLength: 80 });

  it('gives the same rows, lines and malformed records whatever the chunk boundaries (a CRLF, a quoted field, a doubled quote or a too long record split across chunks)', () => {
    fc.assert(
      fc.property(fc.oneof(csvText, noise), fc.array(fc.nat(), { maxLength: 6 }), fc.option(fc.integer({ min: 1, max: 12 })), (text, cuts, max) => {
        const at = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
        const pieces = [0, ...at].map((start, i) => text.slice(start, at[i] ?? text.length));
        expect(lines(pieces, ',', max ?? undefined)).toEqual(lines([text], ',', max ?? undefined));
      }),
      { numRuns: 1000 },
    );
  });

  it('never holds more than maxChars and a chunk of a long line, and skips it to its end', () => {
    const quoted = new CsvSplitter(',', 100);
    for (let i = 0; i < 100; i++) {
      quoted.push(`"${'q\n'.repeat(50)}`, false); // a quote that never closes, over many lines
      for (let cells = quoted.next(); cells !== undefined; cells = quoted.next());
      expect(quoted.buffered).toBeLessThanOrEqual(102 + 101);
    }
    const splitter = new CsvSplitter(',', 100);
    splitter.push('a,b\n', false);
    expect(splitter.next()).toEqual(['a', 'b']);
    for (let i = 0; i < 1000; i++) {
      splitter.push('x'.repeat(1000), false); // one line of a million characters, no line break yet
      const cells = splitter.next();
      if (i === 0) expect([cells, splitter.line, splitter.raw.length]).toEqual([[], 2, 101]); // raw: the first maxChars + 1 characters
      else expect(cells).toBeUndefined();
      expect(splitter.buffered).toBe(0);
    }
    splitter.push('x\r', false);
    expect(splitter.next()).toBeUndefined();
    splitter.push('\n1,2', true);
    expect([splitter.next(), splitter.line, splitter.malformed]).toEqual([['1', '2'], 3, undefined]);
  });

  it('splits plain lines directly and keeps the line as raw; rebuilds raw only after trimming or for quoted rows', () => {
    expect(rows(['a,b\r\n1, 2 ,3\n"x,y",""""\r'])).toEqual([
      [['a', 'b'], 'a,b'],
      [['1', '2', '3'], '1,2,3'],
      [['x,y', '"'], '"x,y",""""'],
    ]);
  });

  it('waits for the next chunk at a CR that may start a CRLF, and at an unclosed quote', () => {
    const splitter = new CsvSplitter(',');
    splitter.push('1,2\r', false);
    expect(splitter.next()).toBeUndefined();
    splitter.push('\n"a\n', false);
    expect(splitter.next()).toEqual(['1', '2']);
    expect(splitter.next()).toBeUndefined();
    splitter.push('b",3\n', true);
    expect(splitter.next()).toEqual(['a\nb', '3']);
    expect(splitter.next()).toBeUndefined();
  });

  it('gives a malformed row at the line where a broken record began, and goes on at the next line', () => {
    const out = lines(['h\n"a"b,1\n2\r\n"x\ny",3\n1,"a\n4\n5'], ',');
    expect(out.map(([cells, raw, line, why]) => [cells, raw, line, why === undefined ? 'ok' : /after the closing quote|never closed/.exec(why)?.[0]])).toEqual([
      [['h'], 'h', 1, 'ok'],
      [[], '"a"b,1', 2, 'after the closing quote'],
      [['2'], '2', 3, 'ok'],
      [['x\ny', '3'], '"x\ny",3', 4, 'ok'],
      [[], '1,"a', 6, 'never closed'],
      [['4'], '4', 7, 'ok'],
      [['5'], '5', 8, 'ok'],
    ]);
  });

  it('gives a malformed row for a record longer than maxChars, quoted or not, and only then', () => {
    const text = '12345\n1234567\n12345678\n"1234"\n"123\n4"\n"12\n34",5\nend';
    const out = lines([text], ',', 7).map(([, raw, line, why]) => [raw, line, why === undefined ? 'ok' : 'long']);
    expect(out).toEqual([
      ['12345', 1, 'ok'],
      ['1234567', 2, 'ok'],
      ['12345678', 3, 'long'],
      ['1234', 4, 'ok'], // a quoted row's raw is its cells, quoted again where needed
      ['"123\n4"', 5, 'ok'], // 7 characters, the line break inside counted
      ['"12', 7, 'long'], // 9 characters: its first line is dropped, its second read on its own
      ['"34""",5', 8, 'ok'], // an unquoted cell may hold a quote (as in fast-csv)
      ['end', 9, 'ok'],
    ]);
  });
});

