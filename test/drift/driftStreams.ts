import { mulberry32 } from '../../src/stats/prng.js';

/** A piece of a stream: `length` values whose mean (or error rate) goes from `from` to `to` linearly. */
export interface Segment {
  readonly length: number;
  readonly from: number;
  /** Defaults to `from` (a constant level). */
  readonly to?: number;
}

/** The level of every step of a stream made of segments. */
function levels(segments: readonly Segment[]): number[] {
  return segments.flatMap(({ length, from, to = from }) =>
    Array.from({ length }, (_, i) => from + ((to - from) * i) / Math.max(1, length - 1)),
  );
}

/**
 * Seeded Gaussian stream (Box-Muller on mulberry32) whose mean follows the segments.
 *
 * @example
 * gaussianStream(1, [{ length: 1000, from: 0 }, { length: 1000, from: 2 }], 1); // abrupt shift at 1000
 */
export function gaussianStream(seed: number, segments: readonly Segment[], sd = 1): number[] {
  const random = mulberry32(seed);
  return levels(segments).map((mean) => {
    const u = 1 - random(); // (0, 1]
    const v = random();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  });
}

/**
 * Seeded 0/1 error stream whose error rate follows the segments.
 *
 * @example
 * bernoulliStream(1, [{ length: 5000, from: 0.1 }, { length: 5000, from: 0.4 }]);
 */
export function bernoulliStream(seed: number, segments: readonly Segment[]): number[] {
  const random = mulberry32(seed);
  return levels(segments).map((p) => (random() < p ? 1 : 0));
}
