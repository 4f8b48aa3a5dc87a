import type { Activation } from '../../model/ModelSpec.js';
import type { OnnxGraphBuilder } from './OnnxGraphBuilder.js';

// TF.js's SELU constants (tfjs-core selu_util), which the dense engine uses too.
const SELU_ALPHA = 1.6732632423543772;
const SELU_GAMMA = 1.0507009873554805;

/**
 * Adds the ONNX nodes of a hidden layer's activation (as TF.js defines it) on `x`; returns the
 * output's name. Every op is in the default domain at opset 13 or lower (swish, mish and gelu are
 * composed: x·sigmoid(x), x·tanh(softplus(x)), x·½(1 + erf(x/√2))).
 *
 * @example
 * const h = activationNodes(g, 'relu', g.op('Add', [g.op('MatMul', [x, w]), b]));
 */
export function activationNodes(g: OnnxGraphBuilder, activation: Activation, x: string): string {
  switch (activation) {
    case 'linear':
      return x;
    case 'relu':
      return g.op('Relu', [x]);
    case 'relu6':
      return g.op('Clip', [x, scalar(g, 0), scalar(g, 6)]);
    case 'elu':
      return g.op('Elu', [x], [{ name: 'alpha', type: 1, f: 1 }]);
    case 'selu':
      return g.op('Selu', [x], [
        { name: 'alpha', type: 1, f: SELU_ALPHA },
        { name: 'gamma', type: 1, f: SELU_GAMMA },
      ]);
    case 'tanh':
      return g.op('Tanh', [x]);
    case 'sigmoid':
      return g.op('Sigmoid', [x]);
    case 'hardSigmoid':
      return g.op('HardSigmoid', [x], [
        { name: 'alpha', type: 1, f: 0.2 },
        { name: 'beta', type: 1, f: 0.5 },
      ]);
    case 'softplus':
      return g.op('Softplus', [x]);
    case 'softsign':
      return g.op('Softsign', [x]);
    case 'swish':
      return g.op('Mul', [x, g.op('Sigmoid', [x])]);
    case 'mish':
      return g.op('Mul', [x, g.op('Tanh', [g.op('Softplus', [x])])]);
    case 'gelu': {
      const erf = g.op('Erf', [g.op('Div', [x, scalar(g, Math.SQRT2)])]);
      return g.op('Mul', [x, g.op('Mul', [g.op('Add', [erf, scalar(g, 1)]), scalar(g, 0.5)])]);
    }
  }
}

/** A float32 scalar constant (a fresh name each time: constants are tiny). */
function scalar(g: OnnxGraphBuilder, value: number): string {
  return g.constant(`const_${g.initializers.length}`, [], [value]);
}
