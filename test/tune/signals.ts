import type { TuningSignals } from '../../src/tune/TuningSignals.js';
export { mulberry32 as rng } from '../../src/stats/prng.js';

/** A fixed time for decisions in tests. */
export const NOW = '2024-05-01T12:00:00.000Z';

/** Signals of step `batches` (32 records a batch), calm unless overridden. */
export function signals(batches: number, over: Partial<TuningSignals> = {}): TuningSignals {
  return {
    records: batches * 32,
    batches,
    drift: null,
    trainLoss: 0.5,
    holdoutLoss: 0.5,
    batchLoss: 0.5,
    applied: true,
    ...over,
  };
}

/** |a / b - 1|: relative error against a reference. */
export function relErr(a: number, b: number): number {
  return Math.abs(a / b - 1);
}
