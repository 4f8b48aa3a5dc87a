import { describe, expect, it } from 'vitest';
import { Eddm } from '../../src/drift/Eddm.js';
import { ConfigError } from '../../src/errors.js';
import { describeDetectorContract, detections, trace } from './detectorContract.js';
import { bernoulliStream } from './driftStreams.js';

// EDDM's statistics cover every error since the start: the longer the calm, the slower it reacts.
const shifted = bernoulliStream(5, [
  { length: 1000, from: 0.1 },
  { length: 2000, from: 0.5 },
]);

describeDetectorContract('Eddm', {
  make: () => new Eddm({ alpha: 0.8, beta: 0.75 }),
  shifted,
  shiftAt: 1000,
  maxDelay: 300,
  constant: 1,
});

describe('Eddm', () => {
  it("has River's defaults", () => {
    expect(new Eddm().settings).toEqual({ warmStart: 30, alpha: 0.95, beta: 0.9 });
  });

  it('reports mean and sample standard deviation of the distances between errors (two-pass)', () => {
    const xs = bernoulliStream(6, [{ length: 2000, from: 0.2 }]);
    const eddm = new Eddm({ beta: 0 }); // never drifts, so all errors are counted
    xs.forEach((x) => eddm.update(x));
    const at = xs.flatMap((x, i) => (x === 1 ? [i + 1] : []));
    const distances = at.map((n, k) => n - (k === 0 ? 0 : (at[k - 1] as number)));
    const mean = distances.reduce((a, b) => a + b, 0) / distances.length;
    const sd = Math.sqrt(distances.reduce((s, d) => s + (d - mean) ** 2, 0) / (distances.length - 1));
    const stats = eddm.stats();
    expect(stats).toMatchObject({ n: 2000, errors: at.length });
    expect(stats.meanDistance).toBeCloseTo(mean, 10);
    expect(stats.stdDistance).toBeCloseTo(sd, 10);
  });

  it('signals when errors come closer together: p + 2s falls below beta times its maximum', () => {
    // Errors every 10 updates, then every 2: the distance statistic drops.
    const xs = [
      ...Array.from({ length: 600 }, (_, i) => (i % 10 === 9 ? 1 : 0)),
      ...Array.from({ length: 400 }, (_, i) => (i % 2 === 1 ? 1 : 0)),
    ];
    // Reference: two-pass mean and sample sd of all distances so far, at each error.
    const distances: number[] = [];
    let last = 0;
    let max = -1;
    let expected = -1;
    for (let i = 0; i < xs.length && expected < 0; i++) {
      if (xs[i] !== 1) continue;
      distances.push(i + 1 - last);
      last = i + 1;
      const m = distances.reduce((a, b) => a + b, 0) / distances.length;
      const sd = distances.length > 1 ? Math.sqrt(distances.reduce((a, d) => a + (d - m) ** 2, 0) / (distances.length - 1)) : 0;
      if (i + 1 <= 30) continue;
      if (m + 2 * sd > max) max = m + 2 * sd;
      else if (distances.length > 30 && (m + 2 * sd) / max < 0.9) expected = i;
    }
    expect(expected).toBeGreaterThan(600);
    expect(detections(new Eddm(), xs)[0]).toBe(expected);
  });

  it('warns before the drift on a gradual rise of the error rate', () => {
    const t = trace(new Eddm({ alpha: 0.8, beta: 0.75 }), bernoulliStream(7, [
      { length: 1000, from: 0.05 },
      { length: 2000, from: 0.05, to: 0.5 },
    ]));
    const drift = t.indexOf('D');
    expect(drift).toBeGreaterThan(1000);
    expect(t.slice(1000, drift)).toContain('W');
  });

  it('refuses bad settings with a ConfigError naming the field', () => {
    expect(() => new Eddm({ alpha: 0.5, beta: 0.9 })).toThrow(/beta/);
    expect(() => new Eddm({ warmStart: 1.5 })).toThrow(ConfigError);
    expect(() => new Eddm({ alpha: 2 })).toThrow(/alpha/);
  });
});
