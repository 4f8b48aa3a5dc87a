import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/runCli.js';
import { sharedData } from '../support/sharedData.js';

const tmp = mkdtempSync(join(tmpdir(), 'streamtune-cli-'));
const common = ['--metrics-port', '0', '--progress', 'off'];

interface Summary {
  records: { total: number; trained: number; holdout: number; rejected: number };
  rejectedByReason: Record<string, number>;
  recordsPerSecond: number;
  prequential: { accuracy?: number; crossEntropy?: number; mse: number };
  holdout: { accuracy?: number; crossEntropy?: number; mse: number };
  baselines: Record<string, Record<string, number>>;
  backend: string;
  engine: string;
  tuningEvents: unknown[];
  population?: { champion: number; members: Array<{ id: number; learningRate: number; l2: number; batchSize: number }> };
  interrupted: boolean;
}

async function train(name: string, args: string[]): Promise<{ summary: Summary; stdout: string; stderr: string }> {
  const summaryPath = join(tmp, `${name}.summary.json`);
  const run = runCli(['train', ...common, '--summary-json', summaryPath, '--dead-letter', join(tmp, `${name}.dead.jsonl`), ...args]);
  const { code, stdout, stderr } = await run.done;
  expect(code, stderr).toBe(0);
  return { summary: JSON.parse(readFileSync(summaryPath, 'utf8')) as Summary, stdout, stderr };
}

describe('streamtune train (CLI, real files)', () => {
  it('learns Elec2: prequential accuracy well above the majority baseline, every record counted once', async () => {
    const { summary, stdout } = await train('elec2', ['--source', sharedData('elec2.csv')]);
    const { records } = summary;
    expect(records.total).toBe(45_312);
    expect(records.rejected).toBe(0);
    expect(records.trained + records.holdout + records.rejected).toBe(records.total);
    expect(records.holdout / records.total).toBeGreaterThan(0.08); // validationSplit 0.1
    expect(records.holdout / records.total).toBeLessThan(0.12);
    expect(summary.baselines.majority?.accuracy).toBeCloseTo(0.5755, 2);
    expect(summary.baselines.noChange?.accuracy).toBeCloseTo(0.8533, 2);
    // The default population (4 members, one step per record) beats "same as before" (issue 12: at least 0.84).
    expect(summary.prequential.accuracy).toBeGreaterThan(summary.baselines.noChange!.accuracy!);
    expect(summary.holdout.accuracy).toBeGreaterThan(0.8);
    expect(summary.prequential.crossEntropy).toBeLessThan(0.4);
    expect(summary.population?.members).toHaveLength(4);
    expect(stdout).toMatch(/population\s+4 members, champion \d/);
    expect(summary.backend).toBe('wasm');
    expect(summary.engine).toBe('dense'); // engine: auto, no native TF backend here
    // The tuner reacted to Elec2's drifts; every event says what changed and why.
    expect(summary.tuningEvents.length).toBeGreaterThan(0);
    for (const e of summary.tuningEvents as Array<Record<string, unknown>>) {
      expect(Object.keys(e)).toEqual(expect.arrayContaining(['time', 'records', 'reason', 'param', 'old', 'new', 'signals']));
    }
    expect(summary.recordsPerSecond).toBeGreaterThan(0);
    expect(stdout).toMatch(/records\s+45,312 total = /);
    expect(existsSync(join(tmp, 'elec2.dead.jsonl'))).toBe(false);
  });

  it('learns Elec2 with temporal features (--label-lags, --feature-lags) well above the no-change baseline', async () => {
    const { summary } = await train('elec2-lags', [
      '--source', sharedData('elec2.csv'), '--label-lags', '1,2', '--feature-lags', 'nswprice:1,vicprice:1',
    ]);
    expect(summary.records.total).toBe(45_312);
    const noChange = summary.baselines.noChange?.accuracy ?? NaN;
    expect(summary.prequential.accuracy).toBeGreaterThan(noChange + 0.03);
    expect(summary.holdout.accuracy).toBeGreaterThan(noChange + 0.02);
  }, 120_000);

  it('learns Bike Sharing (regression): MSE in the target units well below the running-mean baseline', async () => {
    const { summary } = await train('bike', [
      '--source',
      sharedData('bike_sharing_hour_numeric.csv'),
      '--task',
      'regression',
      '--label',
      'cnt',
    ]);
    expect(summary.records.total).toBe(17_379);
    expect(summary.prequential.accuracy).toBeUndefined();
    expect(summary.baselines.mean?.mse).toBeGreaterThan(30_000);
    expect(summary.prequential.mse).toBeLessThan(0.7 * 32_900);
    expect(summary.holdout.mse).toBeLessThan(0.7 * 32_900);
  });

  it('rejects bad rows to the dead letter with reason and file:line, counts them, and learns the rest', async () => {
    const csv = join(tmp, 'bad.csv');
    const rows = ['a,b,label'];
    for (let i = 0; i < 200; i++) rows.push(`${(i % 7) / 7},${(i % 3) / 3},${i % 2}`);
    const bad: Array<[string, string]> = [
      ['0.5,0.5', 'column_count'],
      [',0.5,1', 'empty_value'],
      ['abc,0.5,1', 'non_numeric'],
      ['NaN,0.5,0', 'non_finite'],
      ['1e400,0.5,0', 'non_finite'],
      ['0.5,0.5,2', 'label_domain'],
      ['0.5,0.5,', 'missing_label'],
    ];
    // Insert the bad rows at known places: after data rows 10, 20, ...
    const lines = [...rows];
    bad.forEach(([row], k) => lines.splice(1 + 10 * (k + 1) + k, 0, row));
    writeFileSync(csv, lines.join('\n') + '\n');
    const { summary } = await train('bad', ['--source', csv]);
    expect(summary.records).toEqual({ total: 207, trained: summary.records.trained, holdout: summary.records.holdout, rejected: 7 });
    expect(summary.records.trained + summary.records.holdout).toBe(200);
    expect(summary.rejectedByReason).toEqual({
      column_count: 1,
      empty_value: 1,
      non_numeric: 1,
      non_finite: 2,
      label_domain: 1,
      missing_label: 1,
    });
    const dead = readFileSync(join(tmp, 'bad.dead.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(dead.map((d) => d.reason)).toEqual(bad.map(([, reason]) => reason));
    dead.forEach((d, k) => {
      const line = lines.indexOf(bad[k]![0]) + 1;
      expect(d.position).toBe(`${csv}:${line}`);
      expect(d.raw).toBe(bad[k]![0]);
      expect(typeof d.detail).toBe('string');
    });
  });

  it('dead-letters a CSV record with a broken quote as malformed_csv at its line, exits 0 and learns every other row', async () => {
    const csv = join(tmp, 'badquote.csv');
    const rows = ['a,b,label'];
    // Rows 20, 40, ... hold a quoted value spanning two lines, so physical lines and rows differ.
    for (let i = 1; i <= 300; i++) rows.push(i % 20 === 0 ? `"${(i % 7) / 7}\n",${(i % 3) / 3},${i % 2}` : `${(i % 7) / 7},${(i % 3) / 3},${i % 2}`);
    const broken = '0.5,"0.25,1'; // never closed on its line; the next quote (row 100's) closes it, then text follows
    rows.splice(95, 0, broken);
    const text = rows.join('\n') + '\n';
    const line = text.slice(0, text.indexOf(broken)).split('\n').length;
    expect(line).toBe(100); // 94 rows and the header before it, 4 of them on two lines
    writeFileSync(csv, text);
    const { summary } = await train('badquote', ['--source', csv]);
    expect(summary.records.total).toBe(301);
    expect(summary.records.trained + summary.records.holdout).toBe(300);
    expect(summary.rejectedByReason).toEqual({ malformed_csv: 1 });
    const dead = readFileSync(join(tmp, 'badquote.dead.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ position: `${csv}:100`, reason: 'malformed_csv', raw: broken });
    expect(dead[0]!.detail).toMatch(/line 100 is not valid CSV/);
  });

  it('reads JSON Lines with a key field for routing', async () => {
    const path = join(tmp, 'events.jsonl');
    const lines: string[] = [];
    for (let i = 0; i < 500; i++) lines.push(JSON.stringify({ id: `k${i}`, x1: (i % 10) / 10, x2: (i % 4) / 4, y: i % 10 < 5 ? 0 : 1 }));
    lines.splice(100, 0, '{"id": "broken", "x1": ');
    writeFileSync(path, lines.join('\n') + '\n');
    const { summary } = await train('jsonl', ['--source', path, '--key-field', 'id']);
    expect(summary.records.total).toBe(501);
    expect(summary.rejectedByReason).toEqual({ malformed: 1 });
    expect(summary.records.trained + summary.records.holdout).toBe(500);
  });

  it('learns a multiclass stream (softmax, categorical cross-entropy) and rejects class ids out of range', async () => {
    const path = join(tmp, 'three.csv');
    const rows = ['x1,x2,cls'];
    let seed = 7;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
    for (let i = 0; i < 6000; i++) {
      const x1 = rand();
      const x2 = rand();
      rows.push(`${x1},${x2},${x1 < -0.3 ? 0 : x2 < 0 ? 1 : 2}`);
    }
    rows.push('0.1,0.2,3', '0.1,0.2,1.5');
    writeFileSync(path, rows.join('\n') + '\n');
    const { summary } = await train('multi', ['--source', path, '--task', 'multiclass', '--classes', '3', '--lr', '0.01']);
    expect(summary.rejectedByReason).toEqual({ label_domain: 2 });
    expect(summary.baselines.majority?.accuracy).toBeLessThan(0.45);
    expect(summary.prequential.accuracy).toBeGreaterThan(0.85);
    expect(summary.holdout.accuracy).toBeGreaterThan(0.85);
    expect(summary.prequential.crossEntropy).toBeLessThan(0.5);
  });

  it('runs the embedded default (npm start) with no source given, and writes the metrics log', async () => {
    const log = join(tmp, 'metrics.jsonl');
    const { summary } = await train('embedded', ['--max-records', '3500', '--metrics-log', log]);
    expect(summary.records.total).toBe(3500);
    const entries = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type?: string; records: number; window: { train: { accuracy: number } }; learningRate: number; l2: number })
      .filter((e) => e.type === undefined); // the metrics lines; drift and tuning lines have a type
    expect(entries.map((e) => Math.floor(e.records / 1000))).toEqual([1, 2, 3]);
    expect(entries[2]!.window.train.accuracy).toBeGreaterThan(0);
    // The champion's hyperparameters: a member's, within the population's bounds.
    for (const e of entries) {
      expect(e.learningRate).toBeGreaterThanOrEqual(1e-4);
      expect(e.learningRate).toBeLessThanOrEqual(0.05);
      expect(e.l2).toBeGreaterThanOrEqual(0);
      expect(e.l2).toBeLessThanOrEqual(0.01);
    }
  });

  it('serves the documented metrics while it runs', async () => {
    const run = runCli(['train', ...common, '--source', 'synth:sea?n=inf', '--rate', '3000']);
    const url = await run.metricsUrl;
    let text = '';
    for (let i = 0; i < 100 && !/^streamtune_window_accuracy\{split="holdout"\}/m.test(text); i++) {
      await new Promise((r) => setTimeout(r, 100));
      text = await (await fetch(`${url}/metrics`)).text();
    }
    const health = await fetch(`${url}/healthz`);
    run.child.kill('SIGTERM');
    const { code, stdout } = await run.done;
    expect(health.status).toBe(200);
    for (const name of [
      'streamtune_records_total{split="train"}',
      'streamtune_records_total{split="holdout"}',
      'streamtune_records_rejected_total{reason="non_finite"}',
      'streamtune_batches_total',
      'streamtune_train_loss',
      'streamtune_window_mse{split="train"}',
      'streamtune_window_cross_entropy{split="holdout"}',
      'streamtune_window_accuracy{split="train"}',
      'streamtune_learning_rate',
      'streamtune_l2',
      'streamtune_batch_duration_seconds_bucket',
      'streamtune_tensors',
      'streamtune_backend_info{backend="wasm",engine="dense"}',
      'process_resident_memory_bytes',
    ]) {
      expect(text).toContain(name);
    }
    // SIGTERM finishes the in-flight batch, prints the summary and exits 0.
    expect(code).toBe(0);
    expect(stdout).toContain('interrupted by signal');
  });

  it('fails with one clear line and exit code 2 on a bad config', async () => {
    const { code, stderr, stdout } = await runCli(['train', ...common, '--source', 'synth:sea', '--batch-size', '0']).done;
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('field "batch.size"');

    const file = join(tmp, 'bad.yaml');
    writeFileSync(file, 'source: synth:sea\noptimizer:\n  lr: 0.1\n');
    const fromFile = await runCli(['train', ...common, '--config', file]).done;
    expect(fromFile.code).toBe(2);
    expect(fromFile.stderr).toContain('unknown key "lr" in "optimizer"');
  });

  it('fails with one clear line and exit code 1 on a missing source', async () => {
    const missing = join(tmp, 'nope.csv');
    const { code, stderr } = await runCli(['train', ...common, '--source', missing]).done;
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n').filter((l) => !l.startsWith('{'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(missing);
  });

  it('names the available columns when the label is not one of them', async () => {
    const { code, stderr } = await runCli(['train', ...common, '--source', sharedData('elec2.csv'), '--label', 'price']).done;
    expect(code).toBe(2);
    expect(stderr).toContain('field "label": column "price" is not in the source');
    expect(stderr).toContain('"nswprice"');
  });
});
