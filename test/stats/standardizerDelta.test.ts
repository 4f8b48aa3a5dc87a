import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/stats/prng.js';
import { Standardizer, type StandardizerSnapshot } from '../../src/stats/Standardizer.js';

const rows = (n: number, seed: number, shift: number): number[][] => {
  const random = mulberry32(seed);
  return Array.from({ length: n }, () => [random() * 10 + shift, random() * 2 - shift]);
};

function expectClose(a: StandardizerSnapshot, b: StandardizerSnapshot): void {
  expect(a.features.count).toBeCloseTo(b.features.count, 8);
  a.features.mean.forEach((m, i) => expect(m).toBeCloseTo(b.features.mean[i]!, 9));
  a.features.m2.forEach((m, i) => expect(m / b.features.m2[i]!).toBeCloseTo(1, 9));
  if (a.target && b.target) {
    expect(a.target.count).toBeCloseTo(b.target.count, 8);
    expect(a.target.mean[0]).toBeCloseTo(b.target.mean[0]!, 9);
  }
}

describe('Standardizer deltas (sync merge of the scaler)', () => {
  for (const halfLife of [undefined, 500]) {
    it(`two trainers exchanging deltas every round count every record once (halfLife ${halfLife ?? 'none'})`, () => {
      const settings = { dim: 2, standardizeTarget: true, ...(halfLife ? { halfLife } : {}) };
      const a = new Standardizer(settings);
      const b = new Standardizer(settings);
      a.trackDeltas();
      b.trackDeltas();
      const orderA = new Standardizer(settings); // a's view: its records of a round, then b's
      const orderB = new Standardizer(settings);
      for (let round = 0; round < 4; round++) {
        const ra = rows(300, round * 2 + 1, round);
        const rb = rows(200, round * 2 + 2, -round);
        ra.forEach((x, i) => a.update(x, i));
        rb.forEach((x, i) => b.update(x, -i));
        const da = a.takeDelta();
        const db = b.takeDelta();
        a.mergeDelta(db);
        b.mergeDelta(da);
        ra.forEach((x, i) => orderA.update(x, i));
        rb.forEach((x, i) => orderA.update(x, -i));
        rb.forEach((x, i) => orderB.update(x, -i));
        ra.forEach((x, i) => orderB.update(x, i));
      }
      expectClose(a.snapshot(), orderA.snapshot());
      expectClose(b.snapshot(), orderB.snapshot());
      if (!halfLife) {
        expect(a.count).toBe(4 * 500); // not 500 + 2·..., as merging whole states each round would give
        expectClose(a.snapshot(), b.snapshot()); // without forgetting the order does not matter
      }
    });
  }

  it('a delta holds only what was learned since the last one; merging the whole state instead would count twice', () => {
    const a = new Standardizer({ dim: 2 });
    a.trackDeltas();
    rows(100, 1, 0).forEach((x) => a.update(x));
    expect(a.takeDelta().features.count).toBe(100);
    rows(40, 2, 0).forEach((x) => a.update(x));
    const delta = a.takeDelta();
    expect(delta.features.count).toBe(40);
    expect(delta.decay).toBe(1);
    expect(a.takeDelta().features.count).toBe(0);
    const other = new Standardizer({ dim: 2 });
    other.mergeDelta(delta);
    expect(other.count).toBe(40);
  });

  it('a restore forgets the tracked delta (it belonged to the replaced state)', () => {
    const a = new Standardizer({ dim: 2, halfLife: 100 });
    a.trackDeltas();
    const before = a.snapshot();
    rows(50, 3, 0).forEach((x) => a.update(x));
    a.restore(before);
    const delta = a.takeDelta();
    expect(delta.features.count).toBe(0);
    expect(delta.decay).toBe(1);
  });
});
