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
 * was shared, load ~5-9, so absolute figures are low; the ratios are what count):
 *
 *   inputDim hidden batch      dense   tfjs wasm   tfjs cpu   dense/best
 *        8     64     1       75,558         482        961      78.7x
 *        8     64    32      264,343      16,409     14,519      16.1x
 *        8    512   128       35,657      26,346      7,885       1.4x
 *      100     64   128       42,069      37,784      8,519       1.1x
 *      100    128   128       29,797      23,485      6,763       1.3x
 *      100    256    32        8,842       7,354      1,855       1.2x
 *      100    256   128       13,822      14,435      3,690       1.0x
 *      100    512    32        6,335       6,168        862       1.0x
 *      100    512   128        5,630       6,905      1,389       0.8x
 *
 * TF.js (wasm) costs ~1.5-3 ms per call whatever the batch; the dense engine costs ~2 ns per
 * multiply-add. Wasm starts to win only past ~3 million multiply-adds per forward pass
 * (batch x Σ in x out) at batches of 32 or more; it never wins at batch 1 or 8 in the grid
 * (widths 8..512, batches 1..128, inputDim 8 and 100). The cpu backend never wins.
 * With tfjs-node (native, multithreaded kernels, ~10x less fixed cost) the threshold below is
 * an estimate, not a measurement: tfjs-node is not installed on the dev machine.
 */
const WASM_MIN_WORK = 3_000_000;
const WASM_MIN_BATCH = 32;
const NATIVE_MIN_WORK = 300_000;
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
