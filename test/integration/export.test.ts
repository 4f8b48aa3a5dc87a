import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CheckpointStore } from '../../src/checkpoint/CheckpointStore.js';
import { ExportedModel } from '../../src/export/ExportedModel.js';
import type { EngineSnapshot } from '../../src/model/Engine.js';
import type { LayerSpec } from '../../src/model/ModelSpec.js';
import type { StandardizerSnapshot } from '../../src/stats/Standardizer.js';
import { densePredictions } from '../export/densePredictions.js';
import { checkOnnx, onnxPython } from '../export/onnxChecker.js';
import { runOnnx } from '../export/onnxRuntime.js';
import { maxRelativeDifference } from '../export/testModel.js';
import { runCli } from '../support/runCli.js';
import { kcatProduce } from '../support/kcatProduce.js';
import { sharedData } from '../support/sharedData.js';
import { committedOffsets, consumeAll, createTopic, deleteTopics, uniqueName } from '../support/topics.js';

const tmp = mkdtempSync(join(tmpdir(), 'streamtune-export-'));
const common = ['--metrics-port', '0', '--progress', 'off'];

async function cli(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await runCli(args).done;
  expect(code, stderr).toBe(0);
  return { stdout, stderr };
}

/** The first `n` data rows of a CSV, parsed here (plain numbers), with the header. */
function csvRows(path: string, n: number): { header: string[]; rows: number[][] } {
  const [head, ...lines] = readFileSync(path, 'utf8').split(/\r?\n/, n + 1);
  return { header: head!.split(','), rows: lines.map((l) => l.split(',').map(Number)) };
}

/** What the checkpoint's own parts predict for raw rows: streamtune's dense engine after its standardization. */
async function ownPredictions(dir: string, rows: Float32Array[]): Promise<number[]> {
  const loaded = await new CheckpointStore({ dir }).loadLatest();
  const cp = loaded!.checkpoint;
  const state = cp.state as unknown as { trainer: EngineSnapshot; scaler: StandardizerSnapshot; standardize: { clip: number | null } };
  return densePredictions(
    {
      task: cp.configSummary.task,
      classes: cp.configSummary.classes,
      layers: cp.configSummary.layers as LayerSpec[],
      inputDim: cp.configSummary.features.length,
      engine: state.trainer,
      scaler: state.scaler,
      clip: state.standardize.clip ?? undefined,
      standardizeTarget: state.scaler.target !== null,
    },
    rows,
  );
}

/** Loads an exported tfjs directory with plain @tensorflow/tfjs and its preprocessing.json, as a service would. */
async function plainTfjsPredictions(dir: string, raw: Record<string, number>[]): Promise<number[]> {
  const modelJson = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
  const p = JSON.parse(await readFile(join(dir, 'preprocessing.json'), 'utf8'));
  const group = modelJson.weightsManifest[0];
  const weights = await readFile(join(dir, group.paths[0]));
  const network = await tf.loadLayersModel({
    load: async () => ({
      modelTopology: modelJson.modelTopology,
      weightSpecs: group.weights,
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    }),
  });
  const x = raw.map((r) =>
    p.features.map((f: string, i: number) => {
      if (!(p.scales[i] > 0)) return 0;
      const z = (r[f]! - p.means[i]) / p.scales[i];
      return p.clip === null ? z : Math.max(-p.clip, Math.min(p.clip, z));
    }),
  );
  const out = Array.from((network.predict(tf.tensor2d(x)) as tf.Tensor).dataSync());
  network.dispose();
  return p.target ? out.map((v) => v * p.target.scale + p.target.shift) : out;
}

interface Case {
  readonly name: string;
  readonly file: string;
  readonly args: string[];
}

const cases: Case[] = [
  { name: 'elec2', file: sharedData('elec2.csv'), args: [] },
  { name: 'bike', file: sharedData('bike_sharing_hour_numeric.csv'), args: ['--label', 'cnt', '--task', 'regression'] },
];

describe.each(cases)('streamtune export: $name', ({ name, file, args }) => {
  const ck = join(tmp, `${name}-ck`);
  const periodic = join(tmp, `${name}-exports`);
  const { header, rows: table } = csvRows(file, 1000);
  let features: string[] = [];
  let rows: Float32Array[] = [];
  let raw: Record<string, number>[] = [];
  let own: number[] = [];
  /**
   * Differences in the network's own output units: probabilities for classification; for
   * regression the prediction divided by the target's scale (bike counts have a std of ~181, and
   * float32 carries ~7 digits, so 1e-5 of a count near 400 is below one float32 step).
   */
  let unit = 1;
  const difference = (a: number[], b: number[]): number => Math.max(...a.map((v, i) => Math.abs(v - b[i]!) / unit));

  beforeAll(async () => {
    const config = join(tmp, `${name}.yaml`);
    writeFileSync(config, 'standardize:\n  clip: 4\n'); // a clip, so the test sees it carried into both formats
    await cli(['train', ...common, '--config', config, '--source', file, ...args, '--checkpoint-dir', ck, '--export-dir', periodic, '--export-every', '5000', '--dead-letter', join(tmp, `${name}.dead.jsonl`)]);
    await cli(['export', ck, '--out', join(tmp, `${name}-tfjs`), '--format', 'tfjs']);
    await cli(['export', ck, '--out', join(tmp, `${name}-onnx`), '--format', 'onnx']);
    features = JSON.parse(readFileSync(join(tmp, `${name}-tfjs`, 'preprocessing.json'), 'utf8')).features;
    raw = table.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]!])));
    rows = raw.map((r) => Float32Array.from(features, (f) => r[f]!));
    own = await ownPredictions(ck, rows);
    unit = JSON.parse(readFileSync(join(tmp, `${name}-tfjs`, 'preprocessing.json'), 'utf8')).target?.scale ?? 1;
    if (name === 'bike') expect(unit).toBeGreaterThan(100);
  }, 240_000);

  it('the tfjs export, loaded with plain tf.loadLayersModel and preprocessing.json, predicts what streamtune does (1,000 rows, < 1e-5)', async () => {
    const preprocessing = JSON.parse(readFileSync(join(tmp, `${name}-tfjs`, 'preprocessing.json'), 'utf8'));
    expect(preprocessing.clip).toBe(4);
    expect(own).toHaveLength(1000);
    expect(new Set(own.map((v) => v.toFixed(3))).size).toBeGreaterThan(50); // a model that learned, not a constant
    expect(difference(await plainTfjsPredictions(join(tmp, `${name}-tfjs`), raw), own)).toBeLessThan(1e-5);
  });

  it('the ONNX export, run by ONNX Runtime on raw features, predicts what streamtune does (1,000 rows, < 1e-5)', async () => {
    const bytes = readFileSync(join(tmp, `${name}-onnx`, 'model.onnx'));
    expect(difference(await runOnnx(bytes, rows), own)).toBeLessThan(1e-5);
  });

  it.skipIf(!onnxPython && !process.env.CI)('the ONNX export passes the onnx full checker', () => {
    expect(checkOnnx(join(tmp, `${name}-onnx`, 'model.onnx'))).toBe('');
  });

  it('--export-dir wrote versioned exports with latest naming the newest, equal to the final model', async () => {
    const latest = readFileSync(join(periodic, 'latest'), 'utf8').trim();
    const versions = readdirSync(periodic).filter((n) => /^v\d+$/.test(n)).sort();
    expect(versions.length).toBeGreaterThanOrEqual(2);
    expect(versions.length).toBeLessThanOrEqual(3); // export.keep
    expect(latest).toBe(versions.at(-1));
    expect(readdirSync(periodic).filter((n) => n.startsWith('.'))).toEqual([]);
    // the last export came at the end of the run: the same model as the final checkpoint
    expect(difference(await runOnnx(readFileSync(join(periodic, latest, 'model.onnx')), rows), own)).toBeLessThan(1e-5);
  });
});

describe('streamtune predict', () => {
  it('scores Elec2 with the tfjs export: one line per record with the exported model predictions; rejects dead-lettered, no label needed', async () => {
    const model = join(tmp, 'elec2-tfjs');
    const { header, rows: table } = csvRows(sharedData('elec2.csv'), 1000);
    const features = JSON.parse(readFileSync(join(model, 'preprocessing.json'), 'utf8')).features as string[];
    // The features without their label column, and line 6 broken.
    const label = header.indexOf('class');
    const lines = table.map((r) => r.filter((_, i) => i !== label).join(','));
    lines[4] = lines[4]!.replace(/^[^,]+/, 'oops');
    const input = join(tmp, 'unlabelled.csv');
    writeFileSync(input, [header.filter((h) => h !== 'class').join(','), ...lines].join('\n') + '\n');
    const out = join(tmp, 'predictions.jsonl');
    const dead = join(tmp, 'predict.dead.jsonl');
    const { stderr } = await cli(['predict', '--model', join(tmp, 'elec2-exports'), '--source', input, '--out', out, '--dead-letter', dead]);
    expect(stderr).toMatch(/scored 999 of 1,000 records/);
    const predictions = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { position: string; prediction: number; probabilities: number[] });
    expect(predictions).toHaveLength(999);
    expect(predictions.some((p) => p.position === `${input}:6`)).toBe(false);
    const rejects = readFileSync(dead, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { reason: string; position: string });
    expect(rejects).toEqual([expect.objectContaining({ reason: 'non_numeric', position: `${input}:6` })]);
    const kept = table.filter((_, i) => i !== 4);
    const rows = kept.map((r) => Float32Array.from(features, (f) => r[header.indexOf(f)]!));
    const own = await ownPredictions(join(tmp, 'elec2-ck'), rows);
    expect(maxRelativeDifference(predictions.map((p) => p.probabilities[1]!), own)).toBeLessThan(1e-5);
    for (const [i, p] of predictions.entries()) {
      expect(p.prediction).toBe(own[i]! >= 0.5 ? 1 : 0);
      expect(p.probabilities[0]! + p.probabilities[1]!).toBeCloseTo(1, 6);
    }
    expect(existsSync(join(tmp, 'elec2-exports', 'latest'))).toBe(true);
  }, 120_000);

  it('from a Kafka topic to a predictions topic: one keyed prediction per message, offsets committed', async () => {
    const brokers = inject('kafkaBrokers');
    const source = uniqueName('predict-in');
    const sink = uniqueName('predict-out');
    const group = uniqueName('predict-group');
    topics.push(source, sink);
    await createTopic(brokers, source, 2);
    const { header, rows: table } = csvRows(sharedData('elec2.csv'), 300);
    const features = JSON.parse(readFileSync(join(tmp, 'elec2-tfjs', 'preprocessing.json'), 'utf8')).features as string[];
    await kcatProduce(
      brokers,
      source,
      table.map((r, i) => ({ key: `r${i}`, value: JSON.stringify(Object.fromEntries(header.map((h, k) => [h, r[k]!]))) })),
    );
    await cli(['predict', '--model', join(tmp, 'elec2-tfjs'), '--source', `kafka://${brokers}/${source}`, '--group', group, '--stop-at-end', '--topic', sink]);
    const messages = await consumeAll(brokers, sink);
    expect(messages).toHaveLength(300);
    const byKey = new Map(messages.map((m) => [m.key!.toString(), JSON.parse(m.value!.toString()) as { key: string; probabilities: number[] }]));
    expect(byKey.size).toBe(300);
    const own = await ownPredictions(join(tmp, 'elec2-ck'), table.map((r) => Float32Array.from(features, (f) => r[header.indexOf(f)]!)));
    const scored = table.map((_, i) => byKey.get(`r${i}`)!);
    expect(scored.every((p, i) => p.key === `r${i}`)).toBe(true);
    expect(maxRelativeDifference(scored.map((p) => p.probabilities[1]!), own)).toBeLessThan(1e-5);
    const committed = [...(await committedOffsets(brokers, group, source)).values()].reduce((a, b) => a + b, 0);
    expect(committed).toBe(300);
  }, 120_000);

  it('a service reloading latest while the trainer keeps exporting always loads a complete model', async () => {
    const dir = join(tmp, 'hot-exports');
    const run = runCli(['train', ...common, '--source', sharedData('elec2.csv'), '--export-dir', dir, '--export-every', '1000', '--export-format', 'tfjs', '--dead-letter', join(tmp, 'hot.dead.jsonl')]);
    let exited = false;
    const done = run.done.finally(() => (exited = true));
    const seen = new Set<string>();
    let reloads = 0;
    const row = [Float32Array.from({ length: 8 }, () => 0.5)];
    while (!exited) {
      if (existsSync(join(dir, 'latest'))) {
        const model = await ExportedModel.load(dir);
        expect(model.predict(row)).toHaveLength(1);
        seen.add(model.dir);
        model.dispose();
        reloads += 1;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    const { code, stderr } = await done;
    expect(code, stderr).toBe(0);
    expect(reloads).toBeGreaterThan(3);
    expect(seen.size).toBeGreaterThan(2); // it saw the model change under it
    expect(stderr).not.toMatch(/EXPORT FAILED/);
  }, 120_000);
});

const topics: string[] = [];
afterAll(async () => {
  if (topics.length > 0) await deleteTopics(inject('kafkaBrokers'), topics).catch(() => undefined);
});
