import type { TuningSignals } from '../../src/tune/TuningSignals.js';

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

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** |a / b - 1|: relative error against a reference. */
export function relErr(a: number, b: number): number {
  return Math.abs(a / b - 1);
}
