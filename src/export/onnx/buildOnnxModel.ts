import type { ExportModel } from '../ExportModel.js';
import { activationNodes } from './activationNodes.js';
import { OnnxGraphBuilder } from './OnnxGraphBuilder.js';
import { onnxProto } from './onnxProto.js';

/** ONNX IR version 8 (ONNX 1.10+) with opset 17 of the default domain: read by every current runtime. */
const IR_VERSION = 8;
const OPSET = 17;
const FLOAT = 1;

/** The names of the graph's one input and one output. */
export const ONNX_INPUT = 'features';
export const ONNX_OUTPUT = 'prediction';

/**
 * The model as one ONNX graph from raw features to the prediction: standardization
 * ((x - mean) / scale, 0 for a feature of scale 0, clipped to ±clip), the dense layers with their
 * activations, the output activation (sigmoid: P(y=1); softmax: class probabilities; linear) and,
 * for regression, the target's unscaling (· scale + shift). Input `features` float32 [N, D] in the
 * feature order of the preprocessing; output `prediction` float32 [N, 1] or [N, classes].
 *
 * @example
 * writeFileSync('model.onnx', encodeOnnxModel(model));
 */
export function encodeOnnxModel(model: ExportModel, producerVersion = '0'): Uint8Array {
  const type = onnxProto.lookupType('onnx.ModelProto');
  const message = type.fromObject(onnxModelObject(model, producerVersion));
  return type.encode(message).finish();
}

/** The ModelProto of {@link encodeOnnxModel} as a plain object (before encoding). */
export function onnxModelObject(model: ExportModel, producerVersion = '0'): Record<string, unknown> {
  const g = new OnnxGraphBuilder();
  const p = model.preprocessing;
  const dim = p.features.length;
  let h = g.op('Sub', [ONNX_INPUT, g.constant('feature_means', [dim], p.means)]);
  h = g.op('Div', [h, g.constant('feature_scales', [dim], p.scales.map((s) => (s > 0 ? s : 1)))]);
  if (p.scales.some((s) => !(s > 0))) h = g.op('Mul', [h, g.constant('feature_used', [dim], p.scales.map((s) => (s > 0 ? 1 : 0)))]);
  if (p.clip !== null) h = g.op('Clip', [h, g.constant('clip_min', [], [-p.clip]), g.constant('clip_max', [], [p.clip])]);
  const dense = model.weights.length / 2;
  for (let k = 0; k < dense; k++) {
    const kernel = model.weights[2 * k]!;
    const bias = model.weights[2 * k + 1]!;
    const z = g.op('Add', [
      g.op('MatMul', [h, g.constant(`dense_${k}_kernel`, kernel.shape, kernel.values)]),
      g.constant(`dense_${k}_bias`, bias.shape, bias.values),
    ]);
    h = k < dense - 1 ? activationNodes(g, model.layers[k]!.activation, z) : z;
  }
  const width = model.task === 'multiclass' ? model.classes : 1;
  if (model.task === 'binary') g.op('Sigmoid', [h], [], ONNX_OUTPUT);
  else if (model.task === 'multiclass') g.op('Softmax', [h], [{ name: 'axis', type: 2, i: -1 }], ONNX_OUTPUT);
  else {
    const target = p.target ?? { scale: 1, shift: 0 };
    const scaled = g.op('Mul', [h, g.constant('target_scale', [], [target.scale])]);
    g.op('Add', [scaled, g.constant('target_shift', [], [target.shift])], [], ONNX_OUTPUT);
  }
  return {
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'streamtune',
    producerVersion,
    modelVersion: model.version,
    docString: `streamtune ${model.task} model: raw features in, ${describeOutput(model)} out`,
    graph: {
      name: 'streamtune',
      node: g.nodes,
      initializer: g.initializers,
      input: [valueInfo(ONNX_INPUT, dim, `raw features in this order: ${p.features.join(', ')}`)],
      output: [valueInfo(ONNX_OUTPUT, width, describeOutput(model))],
    },
    metadataProps: [
      { key: 'features', value: JSON.stringify(p.features) },
      { key: 'label', value: p.label.name },
      { key: 'task', value: model.task },
      { key: 'records', value: String(model.records) },
    ],
  };
}

function describeOutput(model: ExportModel): string {
  if (model.task === 'binary') return `P(${model.preprocessing.label.name} = 1)`;
  if (model.task === 'multiclass') return `the probabilities of classes 0..${model.classes - 1} of ${model.preprocessing.label.name}`;
  return `the predicted ${model.preprocessing.label.name}`;
}

function valueInfo(name: string, width: number, docString: string): Record<string, unknown> {
  return {
    name,
    docString,
    type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'N' }, { dimValue: width }] } } },
  };
}
