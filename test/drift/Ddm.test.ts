import { describe, expect, it } from 'vitest';
import { Ddm } from '../../src/drift/Ddm.js';
import { ConfigError } from '../../src/errors.js';
import { describeDetectorContract, detections, trace } from './detectorContract.js';
import { bernoulliStream } from './driftStreams.js';

const shifted = bernoulliStream(3, [
  { length: 5000, from: 0.1 },
  { length: 3000, from: 0.4 },
]);

describeDetectorContract('Ddm', { make: () => new Ddm(), shifted, shiftAt: 5000, maxDelay: 300, constant: 1 });

describe('Ddm', () => {
  it("has River's defaults", () => {
    expect(new Ddm().settings).toEqual({ warmStart: 30, warningThreshold: 2, driftThreshold: 3 });
  });

  it('raises nothing on an error-free stream either', () => {
    expect(detections(new Ddm(), Array<number>(3000).fill(0))).toEqual([]);
  });

  it('reports the error rate and its binomial standard deviation', () => {
    const xs = bernoulliStream(4, [{ length: 1000, from: 0.3 }]);
    const ddm = new Ddm();
    xs.forEach((x) => ddm.update(x));
    const p = xs.filter((x) => x === 1).length / xs.length;
    const stats = ddm.stats();
    expect(stats.n).toBe(1000);
    expect(stats.errorRate).toBeCloseTo(p, 12);
    expect(stats.std).toBeCloseTo(Math.sqrt((p * (1 - p)) / 1000), 12);
    expect((stats.pMin as number) + (stats.sMin as number)).toBeLessThanOrEqual(p + (stats.std as number) + 1e-12);
  });

  it('passes through the warning zone before the drift, and clears the warning on the drift', () => {
    const t = trace(new Ddm(), shifted);
    const drift = t.indexOf('D');
    expect(drift).toBeGreaterThan(5000);
    expect(t.lastIndexOf('W', drift)).toBeGreaterThan(5000);
    expect(t.slice(drift + 1, drift + 30)).not.toContain('W'); // a fresh start: warm-up again
  });

  it('signals when p + s passes p_min + 3 s_min, taken where p + s was smallest', () => {
    // 100 updates at 10% errors, then errors only: p + s climbs; the drift comes when it passes
    // p_min + 3 s_min, computed here from the running counts.
    const xs = [...Array.from({ length: 100 }, (_, i) => (i % 10 === 0 ? 1 : 0)), ...Array<number>(100).fill(1)];
    let errors = 0;
    let best = { p: 0, s: 0, sum: Infinity };
    let expected = -1;
    for (let i = 0; i < xs.length && expected < 0; i++) {
      errors += xs[i] as number;
      const n = i + 1;
      const p = errors / n;
      const s = Math.sqrt((p * (1 - p)) / n);
      if (n <= 30) continue;
      if (p + s <= best.sum) best = { p, s, sum: p + s };
      if (p + s > best.p + 3 * best.s) expected = i;
    }
    expect(expected).toBeGreaterThan(100);
    expect(detections(new Ddm(), xs)[0]).toBe(expected);
  });

  it('does nothing before warmStart updates', () => {
    const xs = [...Array<number>(20).fill(0), ...Array<number>(200).fill(1)];
    const found = detections(new Ddm({ warmStart: 60 }), xs);
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((i) => i >= 60)).toBe(true);
    expect(detections(new Ddm({ warmStart: 25 }), xs)[0]).toBeLessThan(found[0] as number);
  });

  it('refuses bad settings with a ConfigError naming the field', () => {
    expect(() => new Ddm({ warmStart: -3 })).toThrow(/warmStart/);
    expect(() => new Ddm({ driftThreshold: Infinity })).toThrow(ConfigError);
  });
});
