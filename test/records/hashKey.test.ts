import { describe, it, expect } from 'vitest';
import { hashUnit } from '../../src/records/hashKey.js';

const M32 = 0xffffffffn;

/** Reference fmix32 in BigInt arithmetic (independent of Math.imul). */
function fmix32Ref(h: bigint): bigint {
  h ^= h >> 16n;
  h = (h * 0x85ebca6bn) & M32;
  h ^= h >> 13n;
  h = (h * 0xc2b2ae35n) & M32;
  h ^= h >> 16n;
  return h;
}

/** Reference FNV-1a 32 over UTF-8 bytes, in BigInt arithmetic. */
function fnv1aRef(key: string, basis = 0x811c9dc5n): bigint {
  let h = basis;
  for (const byte of Buffer.from(key, 'utf8')) h = ((h ^ BigInt(byte)) * 0x01000193n) & M32;
  return h;
}

const unitRef = (key: string, seed = 0) =>
  Number(fmix32Ref(fnv1aRef(key, 0x811c9dc5n ^ fmix32Ref(BigInt(seed >>> 0))))) / 2 ** 32;

describe('hashUnit', () => {
  it('is FNV-1a 32 then fmix32, mapped to [0, 1)', () => {
    // published FNV-1a 32-bit test vectors
    expect(fnv1aRef('')).toBe(0x811c9dc5n);
    expect(fnv1aRef('a')).toBe(0xe40c292cn);
    expect(fnv1aRef('foobar')).toBe(0xbf9cf968n);
    for (const key of ['', 'a', 'foobar', 'sensor-17', 'héllo wörld ✓', '🙂', '12345']) {
      for (const seed of [0, 1, 42, -3, 0xdeadbeef]) {
        expect(hashUnit(key, seed)).toBe(unitRef(key, seed));
      }
    }
  });

  it('is deterministic', () => {
    for (const key of ['x', 'topic/0@17', '']) {
      expect(hashUnit(key)).toBe(hashUnit(key));
      expect(hashUnit(key, 9)).toBe(hashUnit(key, 9));
    }
    expect(hashUnit('a', 0)).toBe(hashUnit('a'));
  });

  it('stays in [0, 1)', () => {
    for (let i = 0; i < 20_000; i++) {
      const u = hashUnit(String(i), i % 5);
      expect(u >= 0 && u < 1).toBe(true);
    }
  });

  it.each([
    ['record indices', (i: number) => String(i)],
    ['prefixed keys', (i: number) => `user-${i}`],
  ])('is roughly uniform over 100k %s (chi-square, 100 buckets)', (_name, keyOf) => {
    const n = 100_000;
    const buckets = 100;
    const counts = new Array<number>(buckets).fill(0);
    for (let i = 0; i < n; i++) counts[Math.floor(hashUnit(keyOf(i)) * buckets)]! += 1;
    const expected = n / buckets;
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    // chi-square with 99 degrees of freedom: the 0.999 quantile is about 148.2
    expect(chi2).toBeLessThan(148.2);
  });

  it('different seeds give different, independent values', () => {
    const n = 100_000;
    let same = 0;
    let agree = 0;
    for (let i = 0; i < n; i++) {
      const a = hashUnit(String(i), 0);
      const b = hashUnit(String(i), 1);
      if (a === b) same++;
      if (a < 0.5 === b < 0.5) agree++;
    }
    expect(same).toBeLessThan(5);
    // independent halves agree half the time (binomial std ~0.0016)
    expect(Math.abs(agree / n - 0.5)).toBeLessThan(0.01);
  });

  it('spreads nearby keys: one changed character moves the value far', () => {
    let close = 0;
    for (let i = 0; i < 10_000; i++) {
      if (Math.abs(hashUnit(`k${i}a`) - hashUnit(`k${i}b`)) < 0.01) close++;
    }
    // for independent uniforms P(|a-b| < 0.01) ~ 0.02
    expect(close / 10_000).toBeLessThan(0.03);
  });
});
