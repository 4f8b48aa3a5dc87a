import { mulberry32 } from '../../src/stats/prng.js';

/** Seeded standard normals (mulberry32 + Box-Muller). */
export function normals(seed: number): () => number {
  const uniform = mulberry32(seed);
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** A batch of n rows of d standard-normal features with labels from `label(row)`. */
export function batch(rand: () => number, n: number, d: number, label: (row: number[]) => number) {
  const x = new Float32Array(n * d);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const row = Array.from({ length: d }, rand);
    x.set(row, i * d);
    y[i] = label(row);
  }
  return { x, y, n };
}
