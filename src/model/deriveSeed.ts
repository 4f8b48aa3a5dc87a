/**
 * A distinct positive 31-bit seed for stream `k` of a base seed (a murmur3-style mix).
 * Never 0: TF.js treats a 0 seed as "no seed" and falls back to Math.random.
 *
 * @example
 * deriveSeed(42, 0); // the seed of layer 0's initializer; deriveSeed(42, 1) for layer 1
 */
export function deriveSeed(seed: number, k: number): number {
  let h = (Math.trunc(seed) ^ Math.imul(k + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h = (h ^ (h >>> 16)) & 0x7fffffff;
  return h === 0 ? 1 : h;
}
