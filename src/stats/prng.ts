/**
 * A small, fast, seeded pseudo-random generator (mulberry32): the same seed always gives the same
 * sequence of floats in [0, 1). Good enough for synthetic streams and tests, not for cryptography.
 *
 * @example
 * const random = mulberry32(7);
 * random(); // 0 <= value < 1, identical on every run with seed 7
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
