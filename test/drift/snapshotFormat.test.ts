import { describe, expect, it } from 'vitest';
import { createDetector, DETECTOR_TYPES, type DetectorSpec } from '../../src/drift/createDetector.js';
import { bernoulliStream } from './driftStreams.js';

// The snapshots are the checkpoint format: a checkpoint written by an earlier release must restore.
// These are the field names (in order) each detector writes; changing one breaks old checkpoints.
const FORMAT: Record<(typeof DETECTOR_TYPES)[number], string[]> = {
  pageHinkley: ['n', 'mean', 'sumIncrease', 'sumDecrease', 'minIncrease', 'maxDecrease', 'driftDetected'],
  adwin: ['width', 'total', 'variance', 'tick', 'rows', 'driftDetected'],
  ddm: ['n', 'p', 'pMin', 'sMin', 'driftDetected', 'warningDetected'],
  eddm: ['n', 'errors', 'lastError', 'meanDistance', 'm2Distance', 'p2sMax', 'driftDetected', 'warningDetected'],
  kswin: ['n', 'values', 'statistic', 'pValue', 'rng', 'driftDetected'],
  hddmA: ['n', 'mean', 'minCutN', 'minCutMean', 'maxCutN', 'maxCutMean', 'driftDetected', 'warningDetected'],
};

describe('detector snapshots (the checkpoint format)', () => {
  it.each([...DETECTOR_TYPES])('%s writes its documented fields, fresh and after updates', (type) => {
    const detector = createDetector({ type, ...(type === 'kswin' ? { seed: 1 } : {}) } as DetectorSpec);
    expect(Object.keys(detector.snapshot() as object)).toEqual(FORMAT[type]);
    for (const x of bernoulliStream(1, [{ length: 500, from: 0.3 }])) detector.update(x);
    expect(Object.keys(detector.snapshot() as object)).toEqual(FORMAT[type]);
  });

  it('restores a hand-written snapshot in that format, and writes it back unchanged', () => {
    const old = { n: 3, mean: 2, sumIncrease: -0.5, sumDecrease: 0.75, minIncrease: -1.25, maxDecrease: 0.75, driftDetected: false };
    const d = createDetector({ type: 'pageHinkley' });
    d.restore(old);
    expect(d.snapshot()).toEqual(old);
    expect(d.stats()).toMatchObject({ n: 3, testIncrease: 0.75 });
  });
});
