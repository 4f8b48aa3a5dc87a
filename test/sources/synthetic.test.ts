import { describe, expect, it } from 'vitest';
import { SourceError } from '../../src/errors.js';
import { mulberry32 } from '../../src/stats/prng.js';
import { hyperplane, hyperplaneFeatures, parseSyntheticUri, SEA_FEATURES, sea } from '../../src/sources/synthetic.js';
import type { RawRecord } from '../../src/types.js';

const num = (r: RawRecord, name: string): number => r.fields?.[name] as number;
const take = (records: Iterable<RawRecord>, n: number): RawRecord[] => {
  const out: RawRecord[] = [];
  for (const r of records) {
    if (out.length === n) break;
    out.push(r);
  }
  return out;
};

describe('mulberry32', () => {
  it('is deterministic by seed and roughly uniform in [0, 1)', () => {
    const a = mulberry32(123);
    const b = mulberry32(123);
    const c = mulberry32(124);
    const xs = Array.from({ length: 20_000 }, () => a());
    expect(xs.slice(0, 100)).toEqual(Array.from({ length: 100 }, () => b()));
    expect(xs.slice(0, 100)).not.toEqual(Array.from({ length: 100 }, () => c()));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01); // sd of the mean is 0.002
    const lowDecile = xs.filter((x) => x < 0.1).length / xs.length;
    expect(Math.abs(lowDecile - 0.1)).toBeLessThan(0.01);
  });
});

describe('sea', () => {
  it('is deterministic by seed, replays on every iteration, and agrees sync vs async', async () => {
    const stream = sea({ n: 500, seed: 7 });
    const first = [...stream];
    expect([...stream]).toEqual(first);
    expect([...sea({ n: 500, seed: 7 })]).toEqual(first);
    expect([...sea({ n: 500, seed: 8 })]).not.toEqual(first);
    const viaAsync: RawRecord[] = [];
    for await (const r of stream) viaAsync.push(r);
    expect(viaAsync).toEqual(first);
    expect(first[3]).toMatchObject({ index: 3, position: 'synth:sea#3' });
    expect(Object.keys(first[0]?.fields ?? {})).toEqual([...SEA_FEATURES, 'y']);
  });

  it('draws features uniformly in [0, 10]', () => {
    const records = [...sea({ n: 10_000, seed: 3 })];
    for (const name of SEA_FEATURES) {
      const xs = records.map((r) => num(r, name));
      expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...xs)).toBeLessThanOrEqual(10);
      expect(Math.abs(xs.reduce((s, x) => s + x, 0) / xs.length - 5)).toBeLessThan(0.15);
    }
  });

  it('follows y = [x1 + x2 <= theta] at the noise rate, with theta changing at each default drift', () => {
    const records = [...sea({ seed: 11 })];
    expect(records).toHaveLength(50_000);
    const thetas = [8, 9, 7, 9.5];
    const agreement = (block: RawRecord[], theta: number): number =>
      block.filter((r) => num(r, 'y') === (num(r, 'x1') + num(r, 'x2') <= theta ? 1 : 0)).length / block.length;
    thetas.forEach((theta, c) => {
      const block = records.slice(c * 12_500, (c + 1) * 12_500);
      expect(Math.abs(agreement(block, theta) - 0.9)).toBeLessThan(0.02);
      // the block's own threshold fits better than every other concept's
      for (const other of thetas.filter((t) => t !== theta)) {
        expect(agreement(block, theta)).toBeGreaterThan(agreement(block, other) + 0.02);
      }
    });
  });

  it('places custom drifts and cycles the thresholds; noise 0 gives the exact rule', () => {
    const records = [...sea({ n: 9_000, drifts: [2_000, 5_000], thresholds: [3, 15], noise: 0, seed: 5 })];
    const theta = (i: number): number => (i < 2_000 ? 3 : i < 5_000 ? 15 : 3);
    const wrong = records.filter((r, i) => num(r, 'y') !== (num(r, 'x1') + num(r, 'x2') <= theta(i) ? 1 : 0));
    expect(wrong).toEqual([]);
  });

  it('flips labels at the noise rate (same seed, same draws, only the flips differ)', () => {
    const clean = [...sea({ n: 20_000, noise: 0, seed: 9 })];
    const noisy = [...sea({ n: 20_000, noise: 0.25, seed: 9 })];
    expect(noisy.map((r) => num(r, 'x1'))).toEqual(clean.map((r) => num(r, 'x1')));
    const flipped = noisy.filter((r, i) => num(r, 'y') !== num(clean[i]!, 'y')).length / clean.length;
    expect(Math.abs(flipped - 0.25)).toBeLessThan(0.015);
  });

  it('can be endless', () => {
    expect(take(sea({ n: Infinity }), 60_000)).toHaveLength(60_000);
  });

  it('rejects bad options with a SourceError naming the option', () => {
    expect(() => sea({ noise: 1.5 })).toThrow(/"noise"/);
    expect(() => sea({ n: -1 })).toThrow(/"n"/);
    expect(() => sea({ drifts: [10, 5] })).toThrow(/"drifts"/);
    expect(() => sea({ thresholds: [] })).toThrow(SourceError);
  });
});

describe('hyperplane', () => {
  it('is deterministic by seed, names x1..x{dim} and y, and is about balanced', () => {
    const records = [...hyperplane({ n: 10_000, seed: 4 })];
    expect([...hyperplane({ n: 10_000, seed: 4 })]).toEqual(records);
    expect(Object.keys(records[0]?.fields ?? {})).toEqual([...hyperplaneFeatures(10), 'y']);
    expect(records[9]?.position).toBe('synth:hyperplane#9');
    const ones = records.filter((r) => num(r, 'y') === 1).length / records.length;
    expect(ones).toBeGreaterThan(0.4);
    expect(ones).toBeLessThan(0.6);
  });

  it('without drift or noise is linearly separable: a least-squares linear probe is near perfect', () => {
    const dim = 4;
    const records = [...hyperplane({ n: 4_000, dim, magnitude: 0, noise: 0, seed: 2 })];
    const rows = records.map((r) => [...hyperplaneFeatures(dim).map((f) => num(r, f)), 1]);
    const targets = records.map((r) => (num(r, 'y') === 1 ? 1 : -1));
    const w = leastSquares(rows, targets);
    const correct = rows.filter((row, i) => Math.sign(dot(row, w)) === targets[i]).length / rows.length;
    expect(correct).toBeGreaterThan(0.95);
  });

  it('drifts: labels agree with the undrifted concept early and less and less later', () => {
    const n = 20_000;
    const still = [...hyperplane({ n, dim: 5, driftFeatures: 2, magnitude: 0, noise: 0, seed: 6 })];
    const moving = [...hyperplane({ n, dim: 5, driftFeatures: 2, magnitude: 0.01, reverseProbability: 0, noise: 0, seed: 6 })];
    expect(moving.map((r) => num(r, 'x1'))).toEqual(still.map((r) => num(r, 'x1')));
    const agree = (from: number, to: number): number => {
      let same = 0;
      for (let i = from; i < to; i++) if (num(moving[i]!, 'y') === num(still[i]!, 'y')) same++;
      return same / (to - from);
    };
    expect(agree(0, 1)).toBe(1); // the weights only move after the first record
    expect(agree(15_000, 20_000)).toBeLessThan(agree(0, 1_000) - 0.1);
  });

  it('flips labels at the noise rate', () => {
    const clean = [...hyperplane({ n: 20_000, noise: 0, seed: 8 })];
    const noisy = [...hyperplane({ n: 20_000, noise: 0.1, seed: 8 })];
    const flipped = noisy.filter((r, i) => num(r, 'y') !== num(clean[i]!, 'y')).length / clean.length;
    expect(Math.abs(flipped - 0.1)).toBeLessThan(0.01);
  });

  it('rejects bad options with a SourceError naming the option', () => {
    expect(() => hyperplane({ dim: 0 })).toThrow(/"dim"/);
    expect(() => hyperplane({ dim: 3, driftFeatures: 4 })).toThrow(/"driftFeatures"/);
    expect(() => hyperplane({ magnitude: -1 })).toThrow(SourceError);
  });
});

describe('parseSyntheticUri', () => {
  it('builds SEA with defaults and a binary schema', () => {
    const source = parseSyntheticUri('synth:sea');
    expect(source.name).toBe('sea');
    expect(source.schema).toEqual({ task: 'binary', features: ['x1', 'x2', 'x3'], label: 'y', classes: 2 });
    expect(take(source.records, 100)).toEqual(take(sea(), 100));
  });

  it('passes parameters through, lists comma-separated', () => {
    const source = parseSyntheticUri('synth:sea?n=20000&drifts=5000,10000&thresholds=3,15&noise=0.1&seed=7');
    expect([...source.records]).toEqual([...sea({ n: 20_000, drifts: [5_000, 10_000], thresholds: [3, 15], noise: 0.1, seed: 7 })]);
    expect(take(parseSyntheticUri('synth:sea?n=inf').records, 50_001)).toHaveLength(50_001);
  });

  it('builds a hyperplane whose schema follows dim', () => {
    const source = parseSyntheticUri('synth:hyperplane?dim=20&n=3&seed=2');
    expect(source.schema.features).toEqual(hyperplaneFeatures(20));
    expect(source.schema.features).toHaveLength(20);
    expect([...source.records]).toEqual([...hyperplane({ dim: 20, n: 3, seed: 2 })]);
  });

  it('names unknown streams, unknown parameters and bad values', () => {
    expect(() => parseSyntheticUri('synth:agrawal')).toThrow(SourceError);
    expect(() => parseSyntheticUri('synth:agrawal')).toThrow(/"agrawal"/);
    expect(() => parseSyntheticUri('synth:sea?dim=3')).toThrow(/unknown parameter "dim"/);
    expect(() => parseSyntheticUri('synth:sea?noise=abc')).toThrow(/"noise".*"abc"/);
    expect(() => parseSyntheticUri('synth:sea?noise=2')).toThrow(/"noise"/);
    expect(() => parseSyntheticUri('synth:sea?drifts=5,x')).toThrow(/"drifts"/);
    expect(() => parseSyntheticUri('synth:sea?n=')).toThrow(/"n"/);
    expect(() => parseSyntheticUri('data.csv')).toThrow(SourceError);
  });
});

function dot(a: readonly number[], b: readonly number[]): number {
  return a.reduce((s, x, i) => s + x * b[i]!, 0);
}

/** Solves min |A w - t|^2 through the normal equations with Gaussian elimination. */
function leastSquares(rows: number[][], targets: number[]): number[] {
  const k = rows[0]!.length;
  const m = Array.from({ length: k }, (_, i) => [
    ...Array.from({ length: k }, (_, j) => rows.reduce((s, r) => s + r[i]! * r[j]!, 0)),
    rows.reduce((s, r, n) => s + r[i]! * targets[n]!, 0),
  ]);
  for (let c = 0; c < k; c++) {
    const pivot = m[c]![c]!;
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / pivot;
      for (let j = c; j <= k; j++) m[r]![j]! -= f * m[c]![j]!;
    }
  }
  return m.map((row, i) => row[k]! / row[i]!);
}
