import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { runPipeline, type BatchReport } from '../../src/pipeline.js';
import { PredictionsFile } from '../../src/sinks/PredictionsFile.js';
import { parseSyntheticUri } from '../../src/sources/synthetic.js';
import { openPredictions } from '../../src/training/openPredictions.js';
import { predictionLines, type PredictionLine } from '../../src/training/predictionLines.js';
import { scoredLine } from '../../src/export/scoredLine.js';
import type { Task } from '../../src/types.js';
import { createTrainingParts } from '../../src/training/TrainingParts.js';
import { createLogger } from '../../src/telemetry/logger.js';

const tmp = mkdtempSync(join(tmpdir(), 'streamtune-predictions-'));
const log = createLogger('silent');

/** Trains on SEA with a predictions file; returns the file's lines and every batch the pipeline reported. */
async function run(name: string, settings: Record<string, unknown>): Promise<{ lines: PredictionLine[]; batches: BatchReport['batch'][]; iterations: number }> {
  const path = join(tmp, `${name}.jsonl`);
  const synth = parseSyntheticUri('synth:sea?n=700&seed=3');
  const config = parseConfig({ source: 'synth:sea', predictions: { file: path }, ...settings });
  const parts = createTrainingParts(config, synth.schema);
  const predictions = await openPredictions(config, synth.schema, parts, [], log);
  if (!predictions) throw new Error('no predictions sink');
  predictions.begin();
  const batches: BatchReport['batch'][] = [];
  await runPipeline({
    config,
    schema: synth.schema,
    records: synth.records,
    parts,
    onRejected: () => undefined,
    onBatch: (report) => {
      batches.push({ ...report.batch, predictions: report.batch.predictions.slice() });
      predictions.write(report);
    },
  });
  await predictions.close();
  const iterations = parts.engine.iterations;
  parts.population.dispose();
  const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as PredictionLine);
  return { lines, batches, iterations };
}

describe('predictions writer', () => {
  it('writes one line per scored record: its prequential prediction, position, split and the updates before it', async () => {
    const { lines, batches, iterations } = await run('single', { tuning: { enabled: false }, validationSplit: 0.2 });
    const samples = batches.flatMap((b) => b.samples);
    expect(lines).toHaveLength(700);
    expect(lines.map((l) => l.position)).toEqual(samples.map((s) => s.position));
    expect(lines.map((l) => l.split)).toEqual(samples.map((s) => s.split));
    const outputs = batches.flatMap((b) => Array.from(b.predictions));
    lines.forEach((line, i) => {
      expect(line.probabilities![1]).toBeCloseTo(outputs[i]!, 6);
      expect(line.prediction).toBe(outputs[i]! > 0.5 ? 1 : 0);
    });
    // Batch size 1: a record was scored after one update per train record before it (holdout records learn nothing).
    let trained = 0;
    samples.forEach((s, i) => {
      expect(lines[i]!.version, s.position).toBe(trained);
      if (s.split === 'train') trained++;
    });
    expect(trained).toBeGreaterThan(500);
    expect(iterations).toBe(trained);
  });

  it('numbers the rows of a step chunk with the version before its step (batch size 4)', async () => {
    const { lines, batches, iterations } = await run('chunks', { tuning: { enabled: false }, validationSplit: 0, batch: { size: 4 } });
    expect(lines).toHaveLength(700);
    lines.forEach((line, i) => expect(line.version).toBe(Math.floor(i / 4)));
    expect(iterations).toBe(Math.ceil(700 / 4));
    expect(batches.reduce((n, b) => n + b.steps, 0)).toBe(iterations);
  });

  it("follows the population's champion: versions never run ahead of the champion's updates", async () => {
    const { lines } = await run('population', { validationSplit: 0 });
    expect(lines).toHaveLength(700);
    // With members at batch sizes 1 and 4, each member's updates are at most one per record.
    lines.forEach((line, i) => expect(line.version).toBeLessThanOrEqual(i));
    expect(lines.at(-1)!.version).toBeGreaterThan(100);
  });
});

describe('PredictionsFile', () => {
  it('appends lines, and a restore cuts the file back to the length a checkpoint stored', () => {
    const path = join(tmp, 'cut.jsonl');
    writeFileSync(path, '{"old":1}\n');
    const file = new PredictionsFile(path);
    expect(file.snapshot()).toEqual({ bytes: 10 });
    file.write(['{"a":1}', '{"a":2}']);
    const mark = file.snapshot();
    file.write(['{"a":3}']);
    file.close();
    expect(readFileSync(path, 'utf8')).toBe('{"old":1}\n{"a":1}\n{"a":2}\n{"a":3}\n');
    expect(file.count).toBe(3);
    const resumed = new PredictionsFile(path);
    resumed.restore(mark);
    resumed.write(['{"a":3}']);
    resumed.close();
    expect(readFileSync(path, 'utf8')).toBe('{"old":1}\n{"a":1}\n{"a":2}\n{"a":3}\n');
  });
});

describe('predictionLines', () => {
  it('writes what JSON.stringify of scoredLine plus version and split gives, for every task', () => {
    const samples = [
      { position: 'a "quoted".csv:2', key: 'k\u00e9y', split: 'train' as const },
      { position: 'a.csv:3', split: 'holdout' as const },
    ].map((s, index) => ({ ...s, index, x: new Float32Array(1), y: 0, z: new Float32Array(1), target: 0, targetShift: 0, targetScale: 1 }));
    const cases: [Task, number, number[]][] = [
      ['binary', 1, [0.8125, 0.1]],
      ['regression', 1, [-3.25e-7, NaN]],
      ['multiclass', 3, [0.2, 0.5, 0.3, 0.4, 0.4, 0.2]],
    ];
    for (const [task, width, values] of cases) {
      const predictions = Float32Array.from(values);
      const lines = predictionLines(task, { samples, predictions, width }, [3, 7]);
      samples.forEach((s, i) => {
        const expected = { ...scoredLine(task, s, predictions.subarray(i * width, (i + 1) * width)), version: [3, 7][i], split: s.split };
        expect(lines[i]).toBe(JSON.stringify(expected));
      });
    }
  });
});
