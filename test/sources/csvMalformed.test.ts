import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { runPipeline } from '../../src/pipeline.js';
import { readCsv, type CsvOptions } from '../../src/sources/csv.js';
import { openSource } from '../../src/sources/openSource.js';
import { resolveSchema } from '../../src/training/resolveSchema.js';
import { createTrainingParts } from '../../src/training/TrainingParts.js';
import type { RawRecord, Rejected, ScaledSample } from '../../src/types.js';
import { malformedCsvFile, type ExpectedCsvRecord } from '../bench/lib/malformedCsvFile.mjs';

/**
 * Issue 15: bad input never ends a file run. A CSV record that cannot be parsed, or is longer
 * than csv.maxRecordChars, is a `malformed_csv` record at the line where it began, and reading
 * goes on at the line after that one; every other record comes out as it would without it.
 */

let dir: string;
let serial = 0;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'streamtune-csvmalformed-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fileOf(text: string): Promise<string> {
  const path = join(dir, `f${++serial}.csv`);
  await writeFile(path, text);
  return path;
}

async function read(text: string, options: CsvOptions = {}): Promise<{ path: string; records: RawRecord[] }> {
  const path = await fileOf(text);
  const records: RawRecord[] = [];
  for await (const record of readCsv(path, options)) records.push(record);
  return { path, records };
}

/** Each record as `line reason-or-x1`: short to compare, and everything the cases pin. */
const brief = (records: readonly RawRecord[]): string[] =>
  records.map((r) => `${r.position.replace(/^.*:/, '')} ${r.error ? r.error.reason : r.fields!['x1']}`);

describe('malformed CSV records are dead-lettered and reading goes on', () => {
  it('an unclosed quote mid-file: its line only; the rows after it, quoted ones spanning lines included, read at their own lines', async () => {
    const lines = ['x1,x2,y'];
    for (let i = 1; i <= 150; i++) lines.push(i === 99 ? `${i},"2,0` : i % 10 === 0 ? `${i},"two\nlines",1` : `${i},2,0`);
    const { records } = await read(lines.join('\n') + '\n');
    // Rows 10, 20, ... 90 each take two lines; row 99 begins on line 2 + 98 + 9 = 109.
    const bad = records.filter((r) => r.error);
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({ position: expect.stringMatching(/:109$/), raw: '99,"2,0', error: { reason: 'malformed_csv' } });
    expect(bad[0]!.error!.detail).toMatch(/line 109 .*after the closing quote/); // closed by row 100's quote, then "t"
    expect(records).toHaveLength(150);
    expect(brief(records.slice(97, 101))).toEqual(['108 98', '109 malformed_csv', '110 100', '112 101']);
    expect(records.at(-1)!.position).toMatch(/:165$/);
  });

  it('text after a closing quote, a space and text, a doubled quote then text: each its own line, the good rows between them kept', async () => {
    const text = 'x1,x2,y\r\n1,2,0\r\n"2"x,2,0\r\n3,2,0\r\n"4" 5,2,0\r\n"5""q"y,2,0\r\n6,"a\r\nb",0\r\n7,2,0\r\n';
    const { records } = await read(text);
    expect(brief(records)).toEqual(['2 1', '3 malformed_csv', '4 3', '5 malformed_csv', '6 malformed_csv', '7 6', '9 7']);
    expect(records.filter((r) => r.error).map((r) => r.raw)).toEqual(['"2"x,2,0', '"4" 5,2,0', '"5""q"y,2,0']);
  });

  it('quoted fields spanning lines before and after a bad record keep every line number right (LF, CRLF and CR files)', async () => {
    for (const eol of ['\n', '\r\n', '\r']) {
      const rows = ['x1,x2,y', '1,"a', 'b",0', '2,"c', 'd', 'e",1', '3,"broken"x,0', '4,"f', 'g",1', '', '5,2,0'];
      const { records } = await read(rows.join(eol) + eol);
      expect(brief(records), JSON.stringify(eol)).toEqual(['2 1', '4 2', '7 malformed_csv', '8 4', '11 5']);
    }
  });

  it('a record over the size limit, unquoted or quoted over lines, is rejected; the next line is read', async () => {
    const text = ['x1,x2,y', '1,2,0', `2,${'9'.repeat(100)},0`, '3,2,0', `4,"${'z'.repeat(50)}`, `${'z'.repeat(50)}",0`, '5,"ok', 'fine",1'].join('\n');
    const { records } = await read(text, { maxRecordChars: 60 });
    expect(brief(records)).toEqual(['2 1', '3 malformed_csv', '4 3', '5 malformed_csv', '6 column_count', '7 5']);
    expect(records[1]!.error!.detail).toMatch(/longer than 60 characters \(csv\.maxRecordChars\)/);
    expect(records[1]!.raw).toHaveLength(61); // the first maxChars + 1 characters
    expect(records[3]!.raw).toBe(`4,"${'z'.repeat(50)}`);
  });

  it('a line of 20 MB is skipped to its end, and the next line is read', async () => {
    const text = `x1,x2,y\n1,2,0\n${'7'.repeat(20_000_000)}\n3,2,0\n`;
    const { records } = await read(text, { maxRecordChars: 1000 });
    expect(brief(records)).toEqual(['2 1', '3 malformed_csv', '4 3']);
    expect(records[1]!.raw).toHaveLength(1001);
  });

  it('an unclosed quote at the end of the file, with or without a last line break', async () => {
    for (const end of ['', '\n', '\r\n']) {
      const { records } = await read(`x1,x2,y\n1,2,0\n2,"3,0${end}`);
      expect(brief(records)).toEqual(['2 1', '3 malformed_csv']);
      expect(records[1]!.error!.detail).toMatch(/never closed/);
      expect(records[1]!.raw).toBe('2,"3,0');
    }
  });

  it('a header row that cannot be parsed ends the reading with a SourceError naming the file and line', async () => {
    await expect(read('\n"x1"x,y\n1,0\n')).rejects.toThrow(/f\d+\.csv.*header row on line 2/);
  });
});

/** Compares what the reader gave with the generated file's expectations; returns the mismatches. */
function mismatches(records: readonly RawRecord[], expected: readonly ExpectedCsvRecord[]): string[] {
  const problems: string[] = [];
  if (records.length !== expected.length) problems.push(`${records.length} records, expected ${expected.length}`);
  for (let i = 0; i < Math.min(records.length, expected.length) && problems.length < 10; i++) {
    const r = records[i]!;
    const e = expected[i]!;
    const line = Number(r.position.slice(r.position.lastIndexOf(':') + 1));
    const outcome = r.error?.reason ?? 'ok';
    if (line !== e.line || outcome !== e.outcome || (e.id !== undefined && r.fields?.['x1'] !== String(e.id))) {
      problems.push(`record ${i} (${e.kind}): line ${line} ${outcome} x1=${r.fields?.['x1']}, expected line ${e.line} ${e.outcome} x1=${e.id}`);
    }
  }
  return problems;
}

describe('a generated file with 1% malformed quoting of every kind', () => {
  it('200,000 rows (LF), then 20,000 (CRLF and CR): every good row read at its line, every bad one dead-lettered once at its line', async () => {
    for (const [rows, eol] of [
      [200_000, '\n'],
      [20_000, '\r\n'],
      [20_000, '\r'],
    ] as const) {
      const file = malformedCsvFile({ rows, badFraction: 0.01, maxChars: 300, eol, seed: rows });
      const { records } = await read(file.text, { maxRecordChars: 300 });
      expect(mismatches(records, file.expected).join('\n'), `${rows} rows, eol ${JSON.stringify(eol)}`).toBe('');
      const bad = file.expected.filter((e) => e.outcome === 'malformed_csv').length;
      expect(bad).toBeGreaterThan(rows * 0.008); // the generator did make them
      expect(new Set(file.expected.map((e) => e.kind)).size).toBe(6 + 7 + 2); // every good and bad kind, the continuation, the end
    }
  }, 60_000);

  it('through openSource and runPipeline: every good row learned or scored once (its features), every bad one rejected once by reason', async () => {
    const file = malformedCsvFile({ rows: 5000, badFraction: 0.01, maxChars: 300, seed: 7 });
    const path = await fileOf(file.text);
    const config = parseConfig({ source: path, features: ['x1', 'x2'], label: 'y', csv: { maxRecordChars: 300 }, model: { layers: [{ type: 'dense', units: 4 }] } });
    const opened = await openSource(path, config);
    const schema = resolveSchema(config, opened.columns, opened.name);
    const parts = createTrainingParts(config, schema);
    const rejected: Rejected[] = [];
    const samples: ScaledSample[] = [];
    try {
      const result = await runPipeline({
        config,
        schema,
        records: opened.records,
        parts,
        onRejected: (r) => rejected.push(r),
        onBatch: ({ batch }) => samples.push(...batch.samples),
      });
      const good = file.expected.filter((e) => e.outcome === 'ok');
      const count = (outcome: string) => file.expected.filter((e) => e.outcome === outcome).length;
      expect(result.counts.trained + result.counts.holdout).toBe(good.length);
      expect(result.counts.rejectedByReason).toEqual({ malformed_csv: count('malformed_csv'), column_count: count('column_count') });
      expect(samples.map((s) => s.x[0]).sort((a, b) => a! - b!)).toEqual(good.map((e) => e.id));
      const expectedBad = file.expected.filter((e) => e.outcome !== 'ok').map((e) => `${path}:${e.line} ${e.outcome}`);
      expect(rejected.map((r) => `${r.position} ${r.reason}`)).toEqual(expectedBad);
    } finally {
      parts.engine.dispose();
    }
  }, 60_000);
});
