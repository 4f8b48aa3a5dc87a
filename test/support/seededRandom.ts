/**
 * A seeded PRNG (Park-Miller minimal standard) giving numbers in (0, 1): the same seed, the same sequence.
 *
 * @example
 * const rand = seededRandom(7);
 * const delayMs = 200 + rand() * 800;
 */
export function seededRandom(seed: number): () => number {
  let state = Math.floor(Math.abs(seed)) % 2147483647 || 1;
  return () => (state = (state * 16807) % 2147483647) / 2147483647;
}
