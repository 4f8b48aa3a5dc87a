import { CheckpointError, ConfigError } from '../errors.js';

const N = 624;
const M = 397;

/** State of a {@link PythonRandom}: the 624 Mersenne Twister words and the position in them. */
export interface PythonRandomState {
  readonly mt: number[];
  readonly index: number;
}

/**
 * Python's `random.Random` (CPython's MT19937, seeded from an integer with `init_by_array`) as far
 * as River's KSWIN uses it: `sample(range(n), k)` draws exactly what CPython 3.11 draws for the same
 * seed, so a seeded detector makes the same choices as River's.
 *
 * @example
 * const rng = new PythonRandom(42);
 * rng.sample(70, 30); // the same 30 indices as Python's random.Random(42).sample(range(70), 30)
 */
export class PythonRandom {
  readonly #mt = new Uint32Array(N);
  #index = N;

  /** Seeds like `random.Random(seed)` for a non-negative integer seed. */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new ConfigError(`PythonRandom: "seed" must be a non-negative safe integer, got ${seed}`);
    }
    const low = seed % 2 ** 32;
    const high = Math.floor(seed / 2 ** 32);
    this.#seedByArray(high > 0 ? [low, high] : [low]);
  }

  /** The next 32 random bits (CPython's `genrand_uint32`). */
  nextUint32(): number {
    const mt = this.#mt;
    if (this.#index >= N) {
      for (let i = 0; i < N; i++) {
        const y = ((mt[i] as number) & 0x80000000) | ((mt[(i + 1) % N] as number) & 0x7fffffff);
        mt[i] = (mt[(i + M) % N] as number) ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.#index = 0;
    }
    let y = mt[this.#index++] as number;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** `getrandbits(k)` for 0 <= k <= 32. */
  getrandbits(k: number): number {
    return k === 0 ? 0 : this.nextUint32() >>> (32 - k);
  }

  /** `_randbelow(n)`: a uniform integer in [0, n) by rejection on bit_length(n) bits, n < 2^32. */
  randbelow(n: number): number {
    const k = 32 - Math.clz32(n);
    let r = this.getrandbits(k);
    while (r >= n) r = this.getrandbits(k);
    return r;
  }

  /** `sample(range(n), k)`: k distinct integers of [0, n) in selection order. */
  sample(n: number, k: number): number[] {
    if (!(Number.isInteger(k) && k >= 0 && k <= n)) throw new RangeError(`PythonRandom.sample: need 0 <= k <= n, got k=${k}, n=${n}`);
    const result = new Array<number>(k);
    let setsize = 21;
    if (k > 5) setsize += 4 ** Math.ceil(Math.log(k * 3) / Math.log(4));
    if (n <= setsize) {
      const pool = Array.from({ length: n }, (_, i) => i);
      for (let i = 0; i < k; i++) {
        const j = this.randbelow(n - i);
        result[i] = pool[j] as number;
        pool[j] = pool[n - i - 1] as number;
      }
    } else {
      const selected = new Set<number>();
      for (let i = 0; i < k; i++) {
        let j = this.randbelow(n);
        while (selected.has(j)) j = this.randbelow(n);
        selected.add(j);
        result[i] = j;
      }
    }
    return result;
  }

  /** The generator's state as plain JSON. */
  getState(): PythonRandomState {
    return { mt: Array.from(this.#mt), index: this.#index };
  }

  /** Continues from a state taken by `getState()`. */
  setState(state: PythonRandomState): void {
    const { mt, index } = state ?? ({} as Partial<PythonRandomState>);
    const isWord = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0 && (v as number) < 2 ** 32;
    if (!Array.isArray(mt) || mt.length !== N || !mt.every(isWord) || !Number.isInteger(index) || index < 0 || index > N) {
      throw new CheckpointError(`PythonRandom.setState: expected { mt: ${N} 32-bit words, index: 0..${N} }; the checkpoint is corrupt`);
    }
    this.#mt.set(mt);
    this.#index = index;
  }

  /** CPython's `init_by_array` (after `init_genrand(19650218)`). */
  #seedByArray(key: number[]): void {
    const mt = this.#mt;
    mt[0] = 19650218;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1] as number;
      mt[i] = Math.imul(1812433253, prev ^ (prev >>> 30)) + i;
    }
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, key.length); k > 0; k--) {
      const prev = mt[i - 1] as number;
      mt[i] = ((mt[i] as number) ^ Math.imul(prev ^ (prev >>> 30), 1664525)) + (key[j] as number) + j;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1] as number;
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1] as number;
      mt[i] = ((mt[i] as number) ^ Math.imul(prev ^ (prev >>> 30), 1566083941)) - i;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1] as number;
        i = 1;
      }
    }
    mt[0] = 0x80000000;
    this.#index = N;
  }
}
