import type { EngineKind } from './Engine.js';

/** What `chooseEngine` decides from: the TF.js backend available and the size of the work per step. */
export interface EngineChoiceInput {
  /** tfjs-node or tfjs-node-gpu is installed (TF.js runs native kernels, not wasm or plain JS). */
  readonly nativeBackend: boolean;
  /** Units of the hidden dense layers, input side first. */
  readonly hiddenUnits: readonly number[];
  readonly batchSize: number;
  readonly inputDim: number;
}

/*
 * Measured with test/bench/engines.mjs on the 2-core AMD EPYC dev machine (node 20, records per
 * CPU-second of step(), binary, inputDim -> hidden relu -> 1, Adam, best of 3 x 0.2 s; the machine
 * was shared, load ~3, cells vary by ±30% from run to run; the ratios are what count):
 *
 *   inputDim hidden batch   work/step      dense   tfjs wasm   tfjs cpu   dense/best
 *        8     64     1           576     79,800         549        713      112x
 *        8     64    32        18,432    383,360      21,602     12,122       18x
 *        8    512   128       589,824     40,789      29,205      6,694      1.4x
 *      100     64   128       827,520     59,153      51,352     12,545      1.2x
 *      100    256    32       827,648     10,796       7,405      1,052      1.5x
 *      100    128   128     1,654,784     24,217      26,562      4,507      0.9x
 *      100    512    32     1,654,784      4,987       5,431        633      0.9x
 *      100    256   128     3,310,592     10,774      11,482      2,590      0.9x
 *      100    512   128     6,619,136      5,649       7,202      1,338      0.8x
 *
 * (work = batch x Σ in x out, the multiply-adds of one forward pass.) TF.js on wasm costs
 * ~1.5-2 ms per call whatever the batch; the dense engine ~1-2 ns per multiply-add plus ~5 ns per
 * weight for Adam. Wasm wins only past ~1.5 million multiply-adds per forward pass, at batches of
 * 32 or more; never at batch 1 or 8 in the grid (widths 8..512, batches 1..128, inputDim 8 and
 * 100). The cpu backend never wins. With tfjs-node (native multithreaded kernels, several times
 * less fixed cost per call) the threshold below is an estimate, not a measurement: tfjs-node is
 * not installed on the dev machine.
 */
const WASM_MIN_WORK = 1_500_000;
const WASM_MIN_BATCH = 32;
const NATIVE_MIN_WORK = 200_000;
const NATIVE_MIN_BATCH = 8;

/**
 * The engine `auto` stands for: `tfjs` only for steps big enough that TF.js's kernels pay for its
 * fixed cost per call (see the measurement above), else `dense`.
 *
 * @example
 * chooseEngine({ nativeBackend: false, hiddenUnits: [64], batchSize: 1, inputDim: 8 }); // 'dense'
 * chooseEngine({ nativeBackend: false, hiddenUnits: [512], batchSize: 128, inputDim: 100 }); // 'tfjs'
 */
export function chooseEngine(input: EngineChoiceInput): EngineKind {
  let work = 0;
  let width = input.inputDim;
  for (const units of input.hiddenUnits) {
    work += width * units;
    width = units;
  }
  work = (work + width) * input.batchSize; // the output layer: width -> 1 (or a few classes)
  if (input.nativeBackend) return input.batchSize >= NATIVE_MIN_BATCH && work >= NATIVE_MIN_WORK ? 'tfjs' : 'dense';
  return input.batchSize >= WASM_MIN_BATCH && work >= WASM_MIN_WORK ? 'tfjs' : 'dense';
}
