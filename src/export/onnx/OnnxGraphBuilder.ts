/** A node of an ONNX graph as the protobuf encoder takes it. */
export interface OnnxNode {
  readonly input: string[];
  readonly output: string[];
  readonly name: string;
  readonly opType: string;
  readonly attribute: OnnxAttribute[];
}

/** A float or int attribute of a node. */
export type OnnxAttribute =
  | { readonly name: string; readonly type: 1; readonly f: number }
  | { readonly name: string; readonly type: 2; readonly i: number };

/** A constant float32 tensor (an initializer), stored as little-endian raw data. */
export interface OnnxTensor {
  readonly name: string;
  readonly dims: number[];
  readonly dataType: 1;
  readonly rawData: Uint8Array;
}

/**
 * Collects the nodes and constants of one ONNX graph, naming every intermediate value uniquely:
 * `op('Relu', [x])` adds a node and returns the name of its output.
 *
 * @example
 * const g = new OnnxGraphBuilder();
 * const w = g.constant('w', [2, 3], weights);
 * const z = g.op('MatMul', ['features', w]);
 * g.op('Relu', [z], [], 'prediction');
 */
export class OnnxGraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  #count = 0;

  /** Adds a float32 constant; returns its name. */
  constant(name: string, dims: readonly number[], values: ArrayLike<number>): string {
    const data = Float32Array.from(values as ArrayLike<number>);
    const size = dims.reduce((a, b) => a * b, 1);
    if (data.length !== size) throw new RangeError(`constant ${name}: ${data.length} values for dims [${dims.join(', ')}]`);
    const bytes = new Uint8Array(data.length * 4);
    const view = new DataView(bytes.buffer);
    data.forEach((v, i) => view.setFloat32(i * 4, v, true));
    this.initializers.push({ name, dims: [...dims], dataType: 1, rawData: bytes });
    return name;
  }

  /** Adds a node of `opType` on `inputs`; returns its output's name (`output`, or a fresh one). */
  op(opType: string, inputs: readonly string[], attribute: OnnxAttribute[] = [], output?: string): string {
    this.#count += 1;
    const name = output ?? `${opType.toLowerCase()}_${this.#count}`;
    this.nodes.push({ input: [...inputs], output: [name], name: `${opType}_${this.#count}`, opType, attribute });
    return name;
  }
}
