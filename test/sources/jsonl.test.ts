import { mkdtemp, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceError } from '../../src/errors.js';
import { readJsonl } from '../../src/sources/jsonl.js';
import type { RawRecord } from '../../src/types.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'streamtune-jsonl-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

async function collect(records: AsyncIterable<RawRecord>): Promise<RawRecord[]> {
  const out: RawRecord[] = [];
  for await (const record of records) out.push(record);
  return out;
}

describe('readJsonl', () => {
  it('gives fields for objects and values for arrays, with 1-based lines and 0-based indices', async () => {
    const path = await file('a.jsonl', '{"x1":1.5,"y":0}\n[2,"3",1]\n');
    expect(await collect(readJsonl(path))).toEqual([
      { index: 0, position: `${path}:1`, raw: '{"x1":1.5,"y":0}', fields: { x1: 1.5, y: 0 } },
      { index: 1, position: `${path}:2`, raw: '[2,"3",1]', values: [2, '3', 1] },
    ]);
  });

  it('skips blank lines but keeps counting them in the position', async () => {
    const path = await file('blank.jsonl', '\n{"a":1}\n   \n\n{"a":2}\r\n');
    const records = await collect(readJsonl(path));
    expect(records.map((r) => [r.index, r.position, r.fields])).toEqual([
      [0, `${path}:2`, { a: 1 }],
      [1, `${path}:5`, { a: 2 }],
    ]);
  });

  it('marks invalid JSON and non-container values as malformed, keeping the raw line', async () => {
    const path = await file('bad.jsonl', '{"a":\n42\n"text"\nnull\n{"a":1}\n');
    const records = await collect(readJsonl(path));
    expect(records.map((r) => r.error?.reason)).toEqual(['malformed', 'malformed', 'malformed', 'malformed', undefined]);
    expect(records[0]).toMatchObject({ raw: '{"a":', position: `${path}:1` });
    expect(records[0]?.error?.detail).toMatch(/not valid JSON/);
    expect(records[1]?.error?.detail).toBe('expected a JSON object or array, got number');
    expect(records[2]?.error?.detail).toBe('expected a JSON object or array, got string');
    expect(records[3]?.error?.detail).toBe('expected a JSON object or array, got null');
  });

  it('takes the key from keyField when it is a string or a number', async () => {
    const path = await file('key.jsonl', '{"id":"a","x":1}\n{"id":7,"x":2}\n{"x":3}\n{"id":{"n":1},"x":4}\n');
    const records = await collect(readJsonl(path, { keyField: 'id' }));
    expect(records.map((r) => r.key)).toEqual(['a', '7', undefined, undefined]);
  });

  it('ignores a UTF-8 BOM before the first line', async () => {
    const path = await file('bom.jsonl', '\uFEFF{"a":1}\n');
    expect((await collect(readJsonl(path)))[0]?.fields).toEqual({ a: 1 });
  });

  it('throws a SourceError naming the path for a missing file', async () => {
    const path = join(dir, 'missing.jsonl');
    await expect(collect(readJsonl(path))).rejects.toThrow(SourceError);
    await expect(collect(readJsonl(path))).rejects.toThrow(path);
  });

  it('closes the file when the consumer stops early', async () => {
    const path = await file('big.jsonl', Array.from({ length: 50_000 }, (_, i) => `{"i":${i}}`).join('\n'));
    let seen = 0;
    for await (const record of readJsonl(path)) {
      expect(record.fields).toEqual({ i: seen });
      if (++seen === 5) break;
    }
    const isOpen = async (): Promise<boolean> => {
      const fds = await readdir('/proc/self/fd');
      const targets = await Promise.all(fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
      return targets.includes(path);
    };
    for (let tries = 0; tries < 50 && (await isOpen()); tries++) await new Promise((r) => setTimeout(r, 10));
    expect(await isOpen()).toBe(false);
  });
});
