import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { decode, isRejected } from '../../src/records/decode.js';
import { sharedData } from '../support/sharedData.js';
import { pickColumns as csvColumns } from '../../src/records/pickColumns.js';
import { readCsv, readCsvHeader } from '../../src/sources/csv.js';
import type { RawRecord, Rejected, Sample, Schema } from '../../src/types.js';

const binary: Schema = { task: 'binary', features: ['a', 'b'], label: 'y', classes: 2 };
const multiclass: Schema = { task: 'multiclass', features: ['a', 'b'], label: 'y', classes: 3 };
const regression: Schema = { task: 'regression', features: ['a', 'b'], label: 'y', classes: 2 };

const fromFields = (fields: Record<string, unknown>, extra: Partial<RawRecord> = {}): RawRecord => ({
  index: 4,
  position: 'in.csv:6',
  raw: JSON.stringify(fields),
  fields,
  ...extra,
});
const fromValues = (values: unknown[]): RawRecord => ({ index: 2, position: 'in.jsonl:3', raw: JSON.stringify(values), values });

function accepted(raw: RawRecord, schema: Schema = binary): Sample {
  const out = decode(raw, schema);
  if (isRejected(out)) throw new Error(`unexpected rejection: ${out.reason}: ${out.detail}`);
  return out;
}
function rejected(raw: RawRecord, schema: Schema = binary): Rejected {
  const out = decode(raw, schema);
  if (!isRejected(out)) throw new Error(`unexpected sample for ${raw.raw}`);
  return out;
}
/** The float32 a JavaScript number parse of the text gives: the independent reference. */
const f32 = (...texts: string[]): Float32Array => Float32Array.from(texts.map((t) => Math.fround(Number(t))));

describe('decode: valid records', () => {
  it('decodes CSV-like string fields into schema order, whatever the field order', () => {
    const sample = accepted(fromFields({ y: '1', b: '-.5', extra: 'ignored', a: '1.5' }, { key: 'k9' }));
    expect(sample).toEqual({ index: 4, position: 'in.csv:6', key: 'k9', x: f32('1.5', '-.5'), y: 1 });
    expect(sample.x).toBeInstanceOf(Float32Array);
    expect(isRejected(sample)).toBe(false);
  });

  it("stamps the sample with the source's time, else with when it was received", () => {
    const fields = { a: '1', b: '2', y: '0' };
    expect(decode({ index: 0, position: 'p', raw: '', fields, time: 1000 }, binary, 5000)).toMatchObject({ time: 1000 });
    expect(decode({ index: 0, position: 'p', raw: '', fields }, binary, 5000)).toMatchObject({ time: 5000 });
  });

  it('accepts ordinary decimals, signs, exponents and surrounding spaces', () => {
    for (const [a, b] of [['1e-3', '+2'], ['3.', '  4 '], ['-0', '6.02E23'], ['0.1', '3.4e38']] as const) {
      expect(accepted(fromFields({ a, b, y: '0' })).x).toEqual(f32(a, b));
    }
  });

  it('decodes JSON objects with numbers and JSON arrays by position (features, then label)', () => {
    expect(accepted(fromFields({ a: 0.25, b: -3, y: 0 })).x).toEqual(Float32Array.from([0.25, -3]));
    const sample = accepted(fromValues([7, '8.5', 1]));
    expect(sample).toEqual({ index: 2, position: 'in.jsonl:3', x: Float32Array.from([7, 8.5]), y: 1 });
  });

  it('accepts labels in each task domain', () => {
    expect(accepted(fromFields({ a: '1', b: '2', y: '1.0' })).y).toBe(1);
    expect(accepted(fromFields({ a: '1', b: '2', y: '2' }), multiclass).y).toBe(2);
    expect(accepted(fromFields({ a: '1', b: '2', y: 0 }), multiclass).y).toBe(0);
    expect(accepted(fromFields({ a: '1', b: '2', y: '-12.75' }), regression).y).toBe(-12.75);
    expect(accepted(fromValues([1, 2, 1e30]), regression).y).toBe(1e30);
  });
});

describe('decode: rejections', () => {
  it('keeps the record identity and raw text in the rejection', () => {
    const out = rejected(fromFields({ a: 'x', b: '1', y: '0' }, { key: 'k1' }));
    expect(out).toMatchObject({ index: 4, position: 'in.csv:6', key: 'k1', raw: '{"a":"x","b":"1","y":"0"}' });
    expect(isRejected(out)).toBe(true);
  });

  it('passes on a source error (malformed, column_count) unchanged', () => {
    const malformed: RawRecord = { index: 0, position: 'f:1', raw: '{x', error: { reason: 'malformed', detail: 'bad JSON' } };
    expect(rejected(malformed)).toMatchObject({ reason: 'malformed', detail: 'bad JSON' });
    const short: RawRecord = { index: 1, position: 'f:2', raw: '1,2', error: { reason: 'column_count', detail: 'expected 3 columns (the header), got 2' } };
    expect(rejected(short)).toMatchObject({ reason: 'column_count', detail: 'expected 3 columns (the header), got 2' });
  });

  it('rejects a record with neither fields nor values as malformed', () => {
    expect(rejected({ index: 0, position: 'p', raw: '' }).reason).toBe('malformed');
  });

  it('rejects positional records of the wrong length: column_count', () => {
    for (const values of [[1, 2], [1, 2, 0, 9], []]) {
      const out = rejected(fromValues(values));
      expect(out.reason).toBe('column_count');
      expect(out.detail).toContain(`expected 3 values`);
      expect(out.detail).toContain(`got ${values.length}`);
    }
  });

  it('rejects a missing feature: missing_feature, naming it', () => {
    const out = rejected(fromFields({ a: '1', y: '0' }));
    expect(out).toMatchObject({ reason: 'missing_feature', detail: 'feature "b" is missing' });
  });

  it('rejects empty and blank text: empty_value', () => {
    for (const b of ['', '   ']) {
      const out = rejected(fromFields({ a: '1', b, y: '0' }));
      expect(out.reason).toBe('empty_value');
      expect(out.detail).toContain('feature "b"');
    }
  });

  it('rejects what is not a decimal number: non_numeric', () => {
    for (const b of ['abc', '0x1f', ' 0x1f ', '1,5', '1e', '--1', '1.2.3', '0b101', 'true', true, false, null, {}, [1]]) {
      const out = rejected(fromFields({ a: '1', b, y: '0' }));
      expect([b, out.reason]).toEqual([b, 'non_numeric']);
      expect(out.detail).toContain('feature "b"');
      expect(out.detail).toContain(typeof b === 'string' ? JSON.stringify(b) : String(JSON.stringify(b)));
      expect(out.detail).toMatch(/expected a finite decimal number/);
    }
  });

  it('rejects NaN, infinities and overflow (also of float32): non_finite', () => {
    for (const a of ['NaN', 'nan', 'Infinity', '-inf', '+INF', '1e400', '-1e309', '3.5e38', '-1e39', NaN, Infinity, 1e39]) {
      const out = rejected(fromFields({ a, b: '1', y: '0' }));
      expect([a, out.reason]).toEqual([a, 'non_finite']);
      expect(out.detail).toContain('feature "a"');
    }
    // the largest float32 is about 3.4028e38: just below it is fine, just above is not
    expect(Number.isFinite(Math.fround(3.4e38))).toBe(true);
    expect(Number.isFinite(Math.fround(3.41e38))).toBe(false);
    expect(rejected(fromFields({ a: '3.41e38', b: '1', y: '0' })).reason).toBe('non_finite');
  });

  it('rejects an absent or empty label: missing_label', () => {
    expect(rejected(fromFields({ a: '1', b: '2' }))).toMatchObject({ reason: 'missing_label', detail: 'label "y" is missing' });
    const empty = rejected(fromFields({ a: '1', b: '2', y: '' }));
    expect(empty.reason).toBe('missing_label');
    expect(empty.detail).toContain('label "y"');
  });

  it('rejects labels outside the task domain: label_domain', () => {
    const cases: [Schema, unknown][] = [
      [binary, '2'],
      [binary, '0.5'],
      [binary, -1],
      [multiclass, '3'],
      [multiclass, '1.5'],
      [multiclass, '-1'],
    ];
    for (const [schema, y] of cases) {
      const out = rejected(fromFields({ a: '1', b: '2', y }), schema);
      expect([schema.task, y, out.reason]).toEqual([schema.task, y, 'label_domain']);
      expect(out.detail).toContain('label "y"');
    }
    expect(rejected(fromFields({ a: '1', b: '2', y: '2' })).detail).toContain('0 or 1');
    expect(rejected(fromFields({ a: '1', b: '2', y: '3' }), multiclass).detail).toContain('[0, 2]');
  });

  it('rejects labels that are not numbers, with the feature rules: non_numeric / non_finite', () => {
    expect(rejected(fromFields({ a: '1', b: '2', y: 'true' })).reason).toBe('non_numeric');
    expect(rejected(fromFields({ a: '1', b: '2', y: true })).reason).toBe('non_numeric');
    expect(rejected(fromFields({ a: '1', b: '2', y: 'UP' })).detail).toMatch(/label "y": "UP" is not a number; expected 0 or 1/);
    expect(rejected(fromFields({ a: '1', b: '2', y: 'NaN' }), regression).reason).toBe('non_finite');
    expect(rejected(fromValues([1, 2, null]), regression).reason).toBe('non_numeric');
  });

  it('reports the first bad feature in schema order', () => {
    expect(rejected(fromFields({ b: 'x', y: '0' })).reason).toBe('missing_feature');
    expect(rejected(fromFields({ a: 'NaN', b: 'x', y: '0' })).reason).toBe('non_finite');
  });
});

describe('decode: the real data files', () => {
  const data = sharedData('.');
  const cases: [string, Schema['task'], number][] = [
    ['elec2.csv', 'binary', 2],
    ['sea_concepts_50k.csv', 'binary', 2],
    ['bike_sharing_hour_numeric.csv', 'regression', 2],
  ];
  for (const [name, task, classes] of cases) {
    it(`decodes every row of ${name} as a ${task} sample`, async () => {
      const path = `${data}/${name}`;
      const schema: Schema = { task, classes, ...csvColumns(await readCsvHeader(path)) };
      const lines = (await readFile(path, 'utf8')).split('\n').slice(1).filter((l) => l !== '');
      let count = 0;
      for await (const raw of readCsv(path)) {
        const out = decode(raw, schema);
        if (isRejected(out)) throw new Error(`${out.position}: ${out.reason}: ${out.detail}`);
        const cells = lines[count]!.split(',').map(Number);
        expect(out.y).toBe(cells[cells.length - 1]);
        if (count % 997 === 0) expect(out.x).toEqual(Float32Array.from(cells.slice(0, -1)));
        count++;
      }
      expect(count).toBe(lines.length);
    });
  }

  it('rejects every row of the original bike file when its date column is a feature', async () => {
    const path = `${data}/bike_sharing_hour.csv`;
    const schema: Schema = { task: 'regression', classes: 2, ...csvColumns(await readCsvHeader(path)) };
    const reasons = new Set<string>();
    let count = 0;
    for await (const raw of readCsv(path)) {
      const out = decode(raw, schema);
      reasons.add(isRejected(out) ? `${out.reason}: ${out.detail.split(':')[0]}` : 'accepted');
      count++;
    }
    expect(count).toBe(17_379);
    expect([...reasons]).toEqual(['non_numeric: feature "dteday"']);
  });
});
