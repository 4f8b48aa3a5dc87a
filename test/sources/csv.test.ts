import { mkdtemp, readFile, readlink, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, SourceError } from '../../src/errors.js';
import { sharedData } from '../support/sharedData.js';
import { pickColumns as csvColumns } from '../../src/records/pickColumns.js';
import { readCsv, readCsvHeader } from '../../src/sources/csv.js';
import type { RawRecord } from '../../src/types.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'streamtune-csv-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string | Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

async function collect(records: AsyncIterable<RawRecord>): Promise<RawRecord[]> {
  const out: RawRecord[] = [];
  for await (const record of records) out.push(record);
  return out;
}

/** Paths of the files this process has open (Linux). */
async function openFiles(): Promise<string[]> {
  const fds = await readdir('/proc/self/fd');
  const targets = await Promise.all(fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
  return targets;
}

describe('readCsvHeader and csvColumns', () => {
  it('reads the header and defaults the label to the last column, the features to the others', async () => {
    const path = await file('h.csv', 'date, day ,price,class\n0,2,0.5,1\n');
    const header = await readCsvHeader(path);
    expect(header).toEqual(['date', 'day', 'price', 'class']);
    expect(csvColumns(header)).toEqual({ features: ['date', 'day', 'price'], label: 'class' });
  });

  it('honours an explicit label and features, and names a column the header lacks', () => {
    const header = ['a', 'b', 'c'];
    expect(csvColumns(header, { label: 'a' })).toEqual({ features: ['b', 'c'], label: 'a' });
    expect(csvColumns(header, { features: ['b'] })).toEqual({ features: ['b'], label: 'c' });
    expect(() => csvColumns(header, { label: 'z' })).toThrow(ConfigError);
    expect(() => csvColumns(header, { label: 'z' })).toThrow(/"z"/);
    expect(() => csvColumns(header, { features: ['a', 'q'] })).toThrow(/features.*"q"/);
    expect(() => csvColumns(header, { label: 'a', features: ['a', 'b'] })).toThrow(/is the label/);
  });

  it('reads the real SEA header', async () => {
    expect(await readCsvHeader(sharedData('sea_concepts_50k.csv'))).toEqual(['x1', 'x2', 'x3', 'y']);
  });
});

describe('readCsv', () => {
  it('yields one record per data row with fields, raw, index and 1-based line positions', async () => {
    const path = await file('basic.csv', 'x1,x2,y\n1.5,2,0\n-3,4e-2,1\n');
    const records = await collect(readCsv(path));
    expect(records).toEqual([
      { index: 0, position: `${path}:2`, raw: '1.5,2,0', fields: { x1: '1.5', x2: '2', y: '0' } },
      { index: 1, position: `${path}:3`, raw: '-3,4e-2,1', fields: { x1: '-3', x2: '4e-2', y: '1' } },
    ]);
  });

  it('turns rows with a wrong column count into column_count records, in file order', async () => {
    const path = await file('count.csv', 'a,b,c\n1,2,3\n4,5\n6,7,8\n9,10,11,12\n13,14,15\n16\n');
    const records = await collect(readCsv(path));
    expect(records.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(records.map((r) => r.position)).toEqual([2, 3, 4, 5, 6, 7].map((line) => `${path}:${line}`));
    expect(records.map((r) => r.error?.reason)).toEqual([undefined, 'column_count', undefined, 'column_count', undefined, 'column_count']);
    expect(records[1]).toMatchObject({ raw: '4,5', error: { detail: 'expected 3 columns (the header), got 2' } });
    expect(records[3]).toMatchObject({ raw: '9,10,11,12', error: { detail: 'expected 3 columns (the header), got 4' } });
    expect(records[1]?.fields).toBeUndefined();
    expect(records[4]?.fields).toEqual({ a: '13', b: '14', c: '15' });
  });

  it('keeps the order of bad rows across many parser chunks', async () => {
    const n = 30_000;
    const lines = ['a,b,c'];
    for (let i = 0; i < n; i++) lines.push(i % 7 === 3 ? `${i},x` : `${i},${i + 1},${i + 2}`);
    const path = await file('chunks.csv', lines.join('\n') + '\n');
    const records = await collect(readCsv(path));
    expect(records).toHaveLength(n);
    const outOfPlace = records.filter((r, i) => {
      const first = r.fields ? r.fields['a'] : r.raw.split(',')[0];
      return r.index !== i || first !== String(i) || (r.error !== undefined) !== (i % 7 === 3);
    });
    expect(outOfPlace).toEqual([]);
  });

  it('strips a UTF-8 BOM from the first header name', async () => {
    const path = await file('bom.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a,b\n1,2\n')]));
    expect(await readCsvHeader(path)).toEqual(['a', 'b']);
    const [record] = await collect(readCsv(path));
    expect(record?.fields).toEqual({ a: '1', b: '2' });
  });

  it('parses quoted fields with delimiters and quotes, and quotes them again in raw', async () => {
    const path = await file('quoted.csv', 'name,x,y\n"Smith, J.","say ""hi""",1\n');
    const [record] = await collect(readCsv(path));
    expect(record?.fields).toEqual({ name: 'Smith, J.', x: 'say "hi"', y: '1' });
    expect(record?.raw).toBe('"Smith, J.","say ""hi""",1');
  });

  it('uses another delimiter and a key field', async () => {
    const path = await file('semi.csv', 'id;x;y\nk1;1,5;0\n');
    const [record] = await collect(readCsv(path, { delimiter: ';', keyField: 'id' }));
    expect(record).toMatchObject({ key: 'k1', fields: { id: 'k1', x: '1,5', y: '0' }, raw: 'k1;1,5;0' });
  });

  it('skips blank lines and yields nothing for a header-only file', async () => {
    expect(await collect(readCsv(await file('only-header.csv', 'a,b\n')))).toEqual([]);
    const records = await collect(readCsv(await file('blank.csv', 'a,b\n\n1,2\n\n')));
    expect(records.map((r) => r.fields)).toEqual([{ a: '1', b: '2' }]);
  });

  it('throws a SourceError naming the path for an empty file', async () => {
    for (const content of ['', '\n\n']) {
      const path = await file('empty.csv', content);
      await expect(collect(readCsv(path))).rejects.toThrow(SourceError);
      await expect(collect(readCsv(path))).rejects.toThrow(new RegExp(`${path}.*empty.*header`));
      await expect(readCsvHeader(path)).rejects.toThrow(SourceError);
    }
  });

  it('throws a SourceError naming the path for a missing file', async () => {
    const path = join(dir, 'no-such.csv');
    await expect(collect(readCsv(path))).rejects.toThrow(SourceError);
    await expect(collect(readCsv(path))).rejects.toThrow(path);
    await expect(readCsvHeader(path)).rejects.toThrow(/no-such\.csv.*check the path/);
  });

  it('streams lazily: breaking early neither parses the rest nor leaves the file open', async () => {
    const lines = ['a,b,c'];
    for (let i = 0; i < 200_000; i++) lines.push(`${i},${i * 0.5},${i % 2}`);
    lines.push('"unterminated"x,1,2'); // a malformed record, reached only by reading to the end
    const path = await file('big.csv', lines.join('\n') + '\n');

    const all = await collect(readCsv(path));
    expect(all).toHaveLength(200_001);
    expect(all.at(-1)).toMatchObject({ position: `${path}:200002`, raw: '"unterminated"x,1,2', error: { reason: 'malformed_csv' } });

    const first: RawRecord[] = [];
    for await (const record of readCsv(path)) {
      first.push(record);
      if (first.length === 10) {
        expect(await openFiles()).toContain(path);
        break;
      }
    }
    expect(first.map((r) => r.fields?.['a'])).toEqual(Array.from({ length: 10 }, (_, i) => String(i)));
    for (let tries = 0; tries < 50 && (await openFiles()).includes(path); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(await openFiles()).not.toContain(path);
  });

  it('reads every row of the real SEA file, matching a plain line count', async () => {
    const path = sharedData('sea_concepts_50k.csv');
    const text = await readFile(path, 'utf8');
    const rows = text.split('\n').slice(1).filter((line) => line !== '');
    let count = 0;
    let lastRaw = '';
    for await (const record of readCsv(path)) {
      expect(record.error).toBeUndefined();
      count++;
      lastRaw = record.raw;
    }
    expect(count).toBe(rows.length);
    expect(lastRaw).toBe(rows[rows.length - 1]);
  });
});
