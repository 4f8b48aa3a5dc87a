import { deriveSeed } from '../deriveSeed.js';
import type { ModelSpec } from '../ModelSpec.js';
import { activations } from './activations.js';
import { DenseDropout } from './DenseDropout.js';

const EMPTY32: Float32Array = new Float32Array(0);

/**
 * One layer of the dense engine's network, with the buffers of its last forward pass. Dense and
 * dropout layers share this one shape, so that the loops over layers stay monomorphic.
 *
 * @example
 * const ops = DenseOp.plan(spec, 8, 1, offsets); // hidden layers, then the output layer
 * ops[0].inDim; // 8
 */
export class DenseOp {
  /** Pre-activations and activations of the last forward pass (dense; n * outDim). */
  z: Float32Array = EMPTY32;
  a: Float32Array = EMPTY32;
  /** The input of the last forward pass (a buffer of the previous layer, or x). */
  input: Float32Array = EMPTY32;
  /** Whether the last forward pass applied the dropout mask. */
  masked = false;

  constructor(
    /** Dropout layer, or undefined for a dense layer. */
    readonly dropout: DenseDropout | undefined,
    readonly inDim: number,
    readonly outDim: number,
    readonly activation: number,
    readonly kernelAt: number,
    readonly biasAt: number,
    /** Some dense layer comes before this one, so dLoss/d(input) is needed. */
    readonly needsInputGrad: boolean,
  ) {}

  /**
   * The layers of a spec, input side first, then the output layer (`width` units, linear: the
   * logits). `offsets` are where each weight tensor (kernel, bias, layer by layer) starts in the
   * flat parameter array. Dropout layers with rate 0 are left out (they are the identity).
   */
  static plan(spec: ModelSpec, inputDim: number, width: number, offsets: readonly number[]): DenseOp[] {
    const ops: DenseOp[] = [];
    let dim = inputDim;
    let tensor = 0;
    const dense = (outDim: number, activation: number): void => {
      const kernelAt = offsets[tensor] as number;
      const biasAt = offsets[tensor + 1] as number;
      ops.push(new DenseOp(undefined, dim, outDim, activation, kernelAt, biasAt, tensor > 0));
      tensor += 2;
      dim = outDim;
    };
    spec.layers.forEach((layer, i) => {
      if (layer.type === 'dense') {
        dense(layer.units, activations.code(layer.activation ?? 'relu'));
      } else if (layer.rate > 0) {
        const dropout = new DenseDropout(layer.rate, deriveSeed(spec.seed, i));
        ops.push(new DenseOp(dropout, dim, dim, 0, 0, 0, tensor > 0));
      }
    });
    dense(width, activations.code('linear'));
    return ops;
  }

  /** Makes room for n rows. */
  resize(n: number): void {
    if (this.dropout !== undefined) {
      this.dropout.resize(n * this.outDim);
    } else {
      this.z = new Float32Array(n * this.outDim);
      this.a = new Float32Array(n * this.outDim);
    }
  }

  /** Drops the buffers. */
  release(): void {
    this.z = this.a = this.input = EMPTY32;
    this.dropout?.resize(0);
  }
}
