import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SourceError } from '../../src/errors.js';
import { LinesFile } from '../../src/sinks/LinesFile.js';

const dir = mkdtempSync(join(tmpdir(), 'streamtune-lines-'));

describe('LinesFile', () => {
  it('is created on the first write, appends lines, and is cut back to a snapshot', () => {
    const path = join(dir, 'sub', 'out.jsonl');
    const file = new LinesFile(path, '--out');
    expect(file.snapshot()).toEqual({ bytes: 0 });
    file.append([]);
    expect(file.count).toBe(0);
    file.append(['{"a":1}', '{"a":2}']);
    const mark = file.snapshot();
    file.append(['{"a":3}']);
    file.close();
    expect(file.count).toBe(3);
    expect(readFileSync(path, 'utf8')).toBe('{"a":1}\n{"a":2}\n{"a":3}\n');
    new LinesFile(path, '--out').restore(mark);
    expect(readFileSync(path, 'utf8')).toBe('{"a":1}\n{"a":2}\n');
  });

  it('names the file and the option to change when it cannot be opened', () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, '');
    const file = new LinesFile(join(blocker, 'x.jsonl'), '--predictions');
    expect(() => file.append(['{}'])).toThrow(SourceError);
    expect(() => file.append(['{}'])).toThrow(/cannot open .*a-file\/x\.jsonl: .*; pass --predictions with a writable path/);
  });
});
