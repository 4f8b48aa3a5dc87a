import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExportedModel } from '../../src/export/ExportedModel.js';
import { PeriodicExporter } from '../../src/export/PeriodicExporter.js';
import { trainedTestModel } from './testModel.js';

const until = async (done: () => boolean): Promise<void> => {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('PeriodicExporter', () => {
  it('writes v<seq> directories every everyRecords records, points latest at the newest and keeps the newest `keep`', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'streamtune-periodic-')), 'exports');
    const { model } = trainedTestModel({ task: 'binary', layers: [{ type: 'dense', units: 3 }] });
    let version = 0;
    const errors: unknown[] = [];
    const exporter = new PeriodicExporter({ dir, everyRecords: 100, format: 'tfjs', keep: 2 }, () => ({ ...model, version: ++version }), (e) => errors.push(e));
    exporter.maybe(99);
    expect(existsSync(dir)).toBe(false);
    exporter.maybe(100);
    await until(() => exporter.written === 1);
    expect(readFileSync(join(dir, 'latest'), 'utf8')).toBe('v000000000001\n');
    exporter.maybe(150); // not yet 100 records since the last
    exporter.maybe(230);
    await until(() => exporter.written === 2);
    await exporter.final(260);
    expect(exporter.written).toBe(3);
    expect(errors).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual(['latest', 'v000000000002', 'v000000000003']);
    expect(readFileSync(join(dir, 'latest'), 'utf8')).toBe('v000000000003\n');
    expect(JSON.parse(readFileSync(join(dir, 'v000000000003', 'export.json'), 'utf8')).version).toBe(3);
    // a new exporter on the same directory (a resumed run) goes on numbering after the newest
    const next = new PeriodicExporter({ dir, everyRecords: 100, format: 'onnx', keep: 2 }, () => model, (e) => errors.push(e), 260);
    await next.final(300);
    expect(readFileSync(join(dir, 'latest'), 'utf8')).toBe('v000000000004\n');
  });

  it('a service reloading latest while exports keep coming always loads a complete model', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'streamtune-reload-')), 'exports');
    const { model, rows } = trainedTestModel({ task: 'multiclass', layers: [{ type: 'dense', units: 4 }] });
    const exporter = new PeriodicExporter({ dir, everyRecords: 1, format: 'tfjs', keep: 2 }, () => model, (e) => {
      throw e;
    });
    await exporter.final(0);
    let reloads = 0;
    let stop = false;
    const reader = (async () => {
      while (!stop) {
        const loaded = await ExportedModel.load(dir);
        expect(loaded.predict(rows.slice(0, 2)).length).toBe(2 * 3);
        loaded.dispose();
        reloads += 1;
      }
    })();
    for (let total = 1; total <= 30; total++) {
      exporter.maybe(total);
      await exporter.final(total);
      await new Promise((r) => setTimeout(r, 5)); // the reader's turn, as a trainer's batches give it
    }
    stop = true;
    await reader;
    expect(exporter.written).toBeGreaterThanOrEqual(30);
    expect(reloads).toBeGreaterThan(1);
  }, 60_000);
});
