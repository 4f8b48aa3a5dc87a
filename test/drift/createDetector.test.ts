import { describe, expect, it } from 'vitest';
import { Adwin } from '../../src/drift/Adwin.js';
import { createDetector, DETECTOR_TYPES, type DetectorSpec } from '../../src/drift/createDetector.js';
import { Ddm } from '../../src/drift/Ddm.js';
import { Eddm } from '../../src/drift/Eddm.js';
import { HddmA } from '../../src/drift/HddmA.js';
import { Kswin } from '../../src/drift/Kswin.js';
import { PageHinkley } from '../../src/drift/PageHinkley.js';
import { ConfigError } from '../../src/errors.js';

describe('createDetector', () => {
  it('builds each kind with its settings, defaults filled in, and names it after its type', () => {
    const cases: [DetectorSpec, new () => object, Record<string, unknown>][] = [
      [{ type: 'pageHinkley', threshold: 20 }, PageHinkley, { threshold: 20, delta: 0.005 }],
      [{ type: 'adwin', delta: 0.01 }, Adwin, { delta: 0.01, clock: 32 }],
      [{ type: 'ddm', warmStart: 50 }, Ddm, { warmStart: 50, driftThreshold: 3 }],
      [{ type: 'eddm', alpha: 0.8, beta: 0.7 }, Eddm, { alpha: 0.8, beta: 0.7, warmStart: 30 }],
      [{ type: 'kswin', seed: 1, statSize: 20 }, Kswin, { seed: 1, statSize: 20, windowSize: 100 }],
      [{ type: 'hddmA', twoSidedTest: true }, HddmA, { twoSidedTest: true, driftConfidence: 0.001, warningConfidence: 0.005 }],
    ];
    for (const [spec, Class, settings] of cases) {
      const d = createDetector(spec);
      expect(d).toBeInstanceOf(Class);
      expect(d.name).toBe(spec.type);
      expect(d.settings).toMatchObject(settings);
    }
    expect(cases.map(([s]) => s.type).sort()).toEqual([...DETECTOR_TYPES].sort());
  });

  it('refuses unknown types and unknown settings with a ConfigError naming them', () => {
    expect(() => createDetector({ type: 'cusum' } as unknown as DetectorSpec)).toThrow(/"type" must be one of pageHinkley, adwin/);
    expect(() => createDetector({ type: 'adwin', threshold: 3 } as DetectorSpec)).toThrow(ConfigError);
    expect(() => createDetector({ type: 'adwin', threshold: 3 } as DetectorSpec)).toThrow(/"threshold"/);
    expect(() => createDetector({ type: 'ddm', warmStart: -1 })).toThrow(/warmStart/);
  });

  it('builds detectors whose flags are false before any update', () => {
    for (const type of DETECTOR_TYPES) {
      const d = createDetector({ type });
      expect(d.driftDetected).toBe(false);
      expect(d.warningDetected ?? false).toBe(false);
    }
  });
});
