import { mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { standardizeRows } from '../../src/export/applyPreprocessing.js';
import { ExportedModel } from '../../src/export/ExportedModel.js';
import { tfjsArtifacts } from '../../src/export/tfjs/tfjsArtifacts.js';
import { writeExportDir } from '../../src/export/writeExportDir.js';
import { ACTIVATIONS, type LayerSpec } from '../../src/model/ModelSpec.js';
import type { Task } from '../../src/types.js';
import { densePredictions } from './densePredictions.js';
import { maxRelativeDifference, trainedTestModel } from './testModel.js';

const dir = mkdtempSync(join(tmpdir(), 'streamtune-tfjs-'));

/** Loads the artifacts with plain tfjs from memory and predicts standardized rows, unscaled by hand. */
async function plainTfjs(task: Task, layers: LayerSpec[], clip?: number): Promise<number> {
  const { model, reference, rows } = trainedTestModel({ task, layers, clip });
  const { modelJson, weights } = await tfjsArtifacts(model);
  const manifest = modelJson.weightsManifest as Array<{ weights: tf.io.WeightsManifestEntry[] }>;
  const network = await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: modelJson.modelTopology as object, weightSpecs: manifest[0]!.weights, weightData: weights.slice().buffer }),
  );
  const p = model.preprocessing;
  const out = network.predict(tf.tensor2d(standardizeRows(p, rows), [rows.length, p.features.length])) as tf.Tensor;
  const values = Array.from(await out.data(), (v) => (p.target ? v * p.target.scale + p.target.shift : v));
  network.dispose();
  return maxRelativeDifference(values, densePredictions(reference, rows));
}

describe('TF.js export', () => {
  it.each(['binary', 'multiclass', 'regression'] as const)('%s: tf.loadLayersModel predicts what the dense engine does', async (task) => {
    const layers: LayerSpec[] = [{ type: 'dense', units: 8 }, { type: 'dropout', rate: 0.3 }, { type: 'dense', units: 4, activation: 'elu' }];
    expect(await plainTfjs(task, layers, 2)).toBeLessThan(1e-5);
  });

  it.each(ACTIVATIONS)('activation %s survives the round trip', async (activation) => {
    expect(await plainTfjs('binary', [{ type: 'dense', units: 5, activation }])).toBeLessThan(1e-5);
  });

  it('writes an export directory atomically that ExportedModel loads, and replaces a previous export', async () => {
    const { model, reference, rows } = trainedTestModel({ task: 'regression', layers: [{ type: 'dense', units: 6 }], clip: 3 });
    const out = join(dir, 'bike');
    const info = await writeExportDir(model, out, 'both');
    expect(readdirSync(out).sort()).toEqual([...info.files].sort());
    expect(info.files).toEqual(expect.arrayContaining(['model.json', 'weights.bin', 'model.onnx', 'preprocessing.json', 'export.json']));
    const loaded = await ExportedModel.load(out);
    expect(maxRelativeDifference(Array.from(loaded.predict(rows)), densePredictions(reference, rows))).toBeLessThan(1e-5);
    loaded.dispose();
    const again = await writeExportDir({ ...model, version: model.version + 1 }, out, 'tfjs');
    expect(readdirSync(out).sort()).toEqual([...again.files].sort()); // model.onnx of the old export is gone
    expect(JSON.parse(readFileSync(join(out, 'export.json'), 'utf8')).version).toBe(model.version + 1);
    expect(readdirSync(dir).filter((n) => n.startsWith('.'))).toEqual([]); // no temp directories left
  });

  it('refuses to replace a directory that holds something else', async () => {
    const { model } = trainedTestModel({ task: 'binary', layers: [] });
    const other = join(dir, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'notes.txt'), 'mine');
    await expect(writeExportDir(model, other, 'onnx')).rejects.toThrow(/holds other files \(notes.txt\)/);
    expect(readdirSync(other)).toEqual(['notes.txt']);
  });
});
