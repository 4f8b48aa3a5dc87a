import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { DriftMonitor } from '../../src/drift/DriftMonitor.js';
import { HddmA } from '../../src/drift/HddmA.js';
import { ConfigError } from '../../src/errors.js';
import { describeDetectorContract, detections, trace } from './detectorContract.js';
import { bernoulliStream } from './driftStreams.js';

const shifted = bernoulliStream(31, [
  { length: 3000, from: 0.1 },
  { length: 2000, from: 0.4 },
]);

describeDetectorContract('HddmA', { make: () => new HddmA(), shifted, shiftAt: 3000, maxDelay: 200, constant: 1 });
describeDetectorContract('HddmA (two-sided)', {
  make: () => new HddmA({ twoSidedTest: true }),
  shifted: shifted.map((x) => 1 - x), // the error rate falls from 0.9 to 0.6
  shiftAt: 3000,
  maxDelay: 200,
  constant: 0,
});

/**
 * HDDM_A from its definition, recomputed from prefix counts at every step (no incremental state):
 * the cut point is the latest k where mean_k + bound(k) was smallest; a drift when
 * mean_n - mean_k >= sqrt((n - k) / (2 k n) * ln(2 / driftConfidence)). One-sided, first drift only.
 */
function firstDrift(xs: readonly number[], confidence = 0.001): number {
  const bound = (n: number) => Math.sqrt((1 / (2 * n)) * Math.log(1 / confidence));
  let errors = 0;
  let cut = { n: 0, mean: 0 };
  for (let i = 0; i < xs.length; i++) {
    errors += xs[i] as number;
    const n = i + 1;
    const mean = errors / n;
    if (cut.n === 0 || cut.mean + bound(cut.n) >= mean + bound(n)) cut = { n, mean };
    if (cut.n < n && mean - cut.mean >= Math.sqrt(((n - cut.n) / (2 * cut.n * n)) * Math.log(2 / confidence))) return i;
  }
  return -1;
}

describe('HddmA', () => {
  it("has River's defaults", () => {
    expect(new HddmA().settings).toEqual({ driftConfidence: 0.001, warningConfidence: 0.005, twoSidedTest: false });
  });

  it('signals where the definition, recomputed from prefix counts, says', () => {
    const streams = [
      shifted,
      [...Array<number>(400).fill(0), ...Array<number>(100).fill(1)],
      bernoulliStream(32, [{ length: 1500, from: 0.05 }, { length: 1500, from: 0.05, to: 0.6 }]),
    ];
    for (const xs of streams) {
      const expected = firstDrift(xs);
      expect(expected).toBeGreaterThan(0);
      expect(detections(new HddmA(), xs)[0]).toBe(expected);
    }
    const strict = firstDrift(shifted, 0.00001);
    expect(strict).toBeGreaterThan(firstDrift(shifted));
    expect(detections(new HddmA({ driftConfidence: 0.00001 }), shifted)[0]).toBe(strict);
  });

  it('watches decreases only when twoSidedTest is set', () => {
    const falling = bernoulliStream(33, [
      { length: 2000, from: 0.5 },
      { length: 2000, from: 0.05 },
    ]);
    expect(detections(new HddmA(), falling)).toEqual([]);
    const found = detections(new HddmA({ twoSidedTest: true }), falling);
    expect(found[0]).toBeGreaterThanOrEqual(2000);
    expect(found[0]).toBeLessThan(2200);
  });

  it('warns before the drift on a gradual rise, and clears the warning on the drift', () => {
    const t = trace(new HddmA(), bernoulliStream(34, [
      { length: 2000, from: 0.1 },
      { length: 2000, from: 0.1, to: 0.4 },
    ]));
    const drift = t.indexOf('D');
    expect(drift).toBeGreaterThan(2000);
    expect(t.slice(2000, drift)).toContain('W');
  });

  it('refuses bad settings with a ConfigError naming the detector, the field and the allowed values', () => {
    expect(() => new HddmA({ driftConfidence: 0 })).toThrow('hddmA: "driftConfidence" must be a number in (0, 1), got 0');
    expect(() => new HddmA({ warningConfidence: 1.5 })).toThrow(ConfigError);
    expect(() => new HddmA({ twoSidedTest: 'yes' as unknown as boolean })).toThrow(/twoSidedTest/);
    expect(() => new HddmA({ delta: 0.1 } as object)).toThrow(/no setting "delta"; its settings are driftConfidence, warningConfidence, twoSidedTest/);
  });

  it('is a binary detector: the monitor refuses it on a loss signal', () => {
    expect(new HddmA().binary).toBe(true);
    expect(() => new DriftMonitor({ task: 'binary', signal: 'prequential_loss', detectors: [{ type: 'hddmA' }] })).toThrow(
      /hddmA watch 0\/1 errors/,
    );
  });

  it('is accepted by the config, whose errors give the path of a bad setting', () => {
    const config = parseConfig({ source: 'x.csv', drift: { detectors: [{ type: 'hddmA', twoSidedTest: true }] } });
    expect(config.drift.detectors).toEqual([{ type: 'hddmA', twoSidedTest: true }]);
    expect(() => parseConfig({ source: 'x.csv', drift: { detectors: [{ type: 'hddmA', driftConfidence: 2 }] } })).toThrow(
      /drift\.detectors\.0.*hddmA: "driftConfidence" must be a number in \(0, 1\), got 2/,
    );
  });
});
