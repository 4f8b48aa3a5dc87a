import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PythonRandom } from '../../src/drift/PythonRandom.js';
import { CheckpointError, ConfigError } from '../../src/errors.js';

const python = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '.venv-river', 'bin', 'python');

/** What CPython's random.Random(seed) draws: 3 words of 32 bits, then sample(range(n), k) for each (n, k). */
function cpython(seed: number, draws: [number, number][]): { bits: number[]; samples: number[][] } {
  if (!existsSync(python)) throw new Error(`missing ${python}: run \`bash test/drift/setup-river.sh\``);
  const code =
    'import json, random, sys\n' +
    'seed, draws = json.load(sys.stdin)\n' +
    'r = random.Random(seed)\n' +
    'bits = [r.getrandbits(32) for _ in range(3)]\n' +
    'print(json.dumps({"bits": bits, "samples": [r.sample(range(n), k) for n, k in draws]}))\n';
  return JSON.parse(execFileSync(python, ['-c', code], { input: JSON.stringify([seed, draws]), encoding: 'utf8' }));
}

describe('PythonRandom', () => {
  // Pool sampling (n small next to k), set sampling (n large), tiny k, k = n, k = 0.
  const draws: [number, number][] = [
    [70, 30],
    [170, 50],
    [1000, 30],
    [100000, 7],
    [5, 3],
    [9, 9],
    [4, 0],
    [1, 1],
  ];

  it("draws exactly what CPython's random.Random(seed) draws", () => {
    for (const seed of [0, 1, 42, 2 ** 31, 2 ** 32 - 1, 2 ** 32 + 5, 9_007_199_254_740_991]) {
      const r = new PythonRandom(seed);
      const ours = { bits: [r.nextUint32(), r.nextUint32(), r.nextUint32()], samples: draws.map(([n, k]) => r.sample(n, k)) };
      expect(ours, `seed ${seed}`).toEqual(cpython(seed, draws));
    }
  });

  it('samples distinct values in range, each about equally often', () => {
    const r = new PythonRandom(7);
    const counts = new Array<number>(70).fill(0);
    for (let t = 0; t < 2000; t++) {
      const s = r.sample(70, 30);
      expect(new Set(s).size).toBe(30);
      for (const i of s) counts[i] = (counts[i] as number) + 1;
    }
    const expected = (2000 * 30) / 70;
    for (const c of counts) expect(Math.abs(c - expected)).toBeLessThan(6 * Math.sqrt(expected));
  });

  it('continues identically from a saved state', () => {
    const a = new PythonRandom(3);
    a.sample(100, 40);
    const b = new PythonRandom(99);
    b.setState(JSON.parse(JSON.stringify(a.getState())));
    expect(b.sample(1000, 300)).toEqual(a.sample(1000, 300));
  });

  it('refuses bad seeds and corrupt states', () => {
    expect(() => new PythonRandom(-1)).toThrow(ConfigError);
    expect(() => new PythonRandom(1.5)).toThrow(ConfigError);
    expect(() => new PythonRandom(0).setState({ mt: [1, 2], index: 0 })).toThrow(CheckpointError);
    expect(() => new PythonRandom(0).sample(3, 4)).toThrow(RangeError);
  });
});
