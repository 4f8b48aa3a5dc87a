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
 * parser for the rest) must give exactly the records fast-csv gives: cells, raw text, positions,
 * column_count rejects; and fail (SourceError) on exactly the files fast-csv fails on.
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

function expectSame(outcome: Awaited<ReturnType<typeof both>>): void {
  const { reference, fast, values } = outcome;
  if (reference.error !== undefined) {
    // fast-csv loses the rows parsed in the same chunk before a broken quote; the fast path yields them: only the failure must agree.
    expect(fast.error).toBeInstanceOf(SourceError);
    expect(values.error).toBeInstanceOf(SourceError);
    return;
  }
  expect(fast.error).toBeUndefined();
  expect(fast.records).toEqual(reference.records);
  // The values shape holds the same cells, in header order, named by `columns`.
  expect(values.records.map(({ values: cells, columns, ...rest }) => ({ ...rest, ...(cells ? { fields: named(columns!, cells) } : {}) }))).toEqual(
    reference.records,
  );
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
  function rows(pieces: readonly string[], delimiter = ','): Array<[string[], string]> | 'error' {
    const splitter = new CsvSplitter(delimiter);
    const out: Array<[string[], string]> = [];
    try {
      pieces.forEach((piece, i) => {
        splitter.push(piece, i === pieces.length - 1);
        for (let cells = splitter.next(); cells !== undefined; cells = splitter.next()) out.push([cells, splitter.raw]);
      });
    } catch {
      return 'error';
    }
    return out;
  }

  it('gives the same rows whatever the chunk boundaries (a CRLF, a quoted field or a doubled quote split across chunks)', () => {
    fc.assert(
      fc.property(csvText, fc.array(fc.nat(), { maxLength: 6 }), (text, cuts) => {
        const at = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
        const pieces = [0, ...at].map((start, i) => text.slice(start, at[i] ?? text.length));
        expect(rows(pieces)).toEqual(rows([text]));
      }),
      { numRuns: 500 },
    );
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

  it('throws fast-csv\'s parse error for text after a closing quote, and for a quote still open at the end', () => {
    expect(rows(['"a"b,1\n'])).toBe('error');
    expect(rows(['1,"a\n'])).toBe('error');
  });
});
