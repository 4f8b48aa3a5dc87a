import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeOnnxModel } from '../../src/export/onnx/buildOnnxModel.js';
import { onnxProto } from '../../src/export/onnx/onnxProto.js';
import { ACTIVATIONS } from '../../src/model/ModelSpec.js';
import type { LayerSpec } from '../../src/model/ModelSpec.js';
import type { Task } from '../../src/types.js';
import { densePredictions } from './densePredictions.js';
import { checkOnnx, onnxPython } from './onnxChecker.js';
import { runOnnx } from './onnxRuntime.js';
import { maxRelativeDifference, trainedTestModel } from './testModel.js';

const dir = mkdtempSync(join(tmpdir(), 'streamtune-onnx-'));

async function compare(task: Task, layers: LayerSpec[], clip?: number): Promise<{ difference: number; bytes: Uint8Array }> {
  const { model, reference, rows } = trainedTestModel({ task, layers, clip });
  const bytes = encodeOnnxModel(model);
  const onnx = await runOnnx(bytes, rows);
  const own = densePredictions(reference, rows);
  return { difference: maxRelativeDifference(onnx, own), bytes };
}

describe('ONNX export', () => {
  it.each(['binary', 'multiclass', 'regression'] as const)('%s: ONNX Runtime predicts what the dense engine does after the standardization', async (task) => {
    const { difference } = await compare(task, [{ type: 'dense', units: 8, activation: 'relu' }, { type: 'dropout', rate: 0.2 }, { type: 'dense', units: 4, activation: 'tanh' }], 2);
    expect(difference).toBeLessThan(1e-5);
  });

  it.each(ACTIVATIONS)('activation %s matches the dense engine', async (activation) => {
    const { difference } = await compare('binary', [{ type: 'dense', units: 6, activation }]);
    expect(difference).toBeLessThan(1e-5);
  });

  it('a model with no hidden layer (logistic regression) and no clip', async () => {
    const { difference } = await compare('binary', []);
    expect(difference).toBeLessThan(1e-5);
  });

  it('the clip and the zero-scale feature are in the graph: far rows are clipped, the constant feature ignored', async () => {
    const { model, reference, rows } = trainedTestModel({ task: 'binary', layers: [{ type: 'dense', units: 4 }], clip: 1 });
    expect(model.preprocessing.scales[2]).toBe(0);
    const far = rows.slice(-10);
    const unclipped = await runOnnx(encodeOnnxModel({ ...model, preprocessing: { ...model.preprocessing, clip: null } }), far);
    const clipped = await runOnnx(encodeOnnxModel(model), far);
    expect(maxRelativeDifference(clipped, unclipped)).toBeGreaterThan(1e-3); // the clip changes far rows
    expect(maxRelativeDifference(clipped, densePredictions(reference, far))).toBeLessThan(1e-5);
    const changed = far.map((r) => Float32Array.from(r, (v, i) => (i === 2 ? v + 1000 : v)));
    expect(await runOnnx(encodeOnnxModel(model), changed)).toEqual(clipped);
  });

  it('decodes as an ONNX ModelProto with one input, one output and the opset', () => {
    const { model } = trainedTestModel({ task: 'multiclass', layers: [{ type: 'dense', units: 3 }] });
    const decoded = onnxProto.lookupType('onnx.ModelProto').toObject(onnxProto.lookupType('onnx.ModelProto').decode(encodeOnnxModel(model)), { longs: Number }) as {
      irVersion: number;
      opsetImport: Array<{ version: number }>;
      graph: { input: Array<{ name: string }>; output: Array<{ name: string }>; node: Array<{ opType: string }> };
    };
    expect(decoded.irVersion).toBe(8);
    expect(decoded.opsetImport[0]!.version).toBe(17);
    expect(decoded.graph.input.map((i) => i.name)).toEqual(['features']);
    expect(decoded.graph.output.map((o) => o.name)).toEqual(['prediction']);
    expect(decoded.graph.node.at(-1)!.opType).toBe('Softmax');
  });

  it.skipIf(!onnxPython && !process.env.CI)('passes the onnx full checker for every task and activation', async () => {
    const paths: string[] = [];
    for (const task of ['binary', 'multiclass', 'regression'] as const) {
      for (const activation of ACTIVATIONS) {
        const { model } = trainedTestModel({ task, layers: [{ type: 'dense', units: 3, activation }], clip: 3 });
        const path = join(dir, `${task}-${activation}.onnx`);
        writeFileSync(path, encodeOnnxModel(model));
        paths.push(path);
      }
    }
    expect(checkOnnx(...paths)).toBe('');
    // and it does fail: a graph whose node reads a value nothing defines
    const broken = join(dir, 'broken.onnx');
    writeFileSync(broken, encodeOnnxModel({ ...trainedTestModel({ task: 'binary', layers: [] }).model, weights: [] }));
    expect(checkOnnx(broken)).not.toBe('');
  }, 120_000);
});
