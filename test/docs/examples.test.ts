import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { driftDetector } from '../../docs/examples/driftDetector.js';
import { engines } from '../../docs/examples/engines.js';
import { operatorsByHand } from '../../docs/examples/operatorsByHand.js';
import { trainOnAFile } from '../../docs/examples/trainOnAFile.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// The examples a user copies (docs/examples/) run here, so they stay true.
describe('docs/examples', () => {
  it('trainOnAFile learns the embedded Elec2 above its majority baseline, with no rejects', async () => {
    const r = await trainOnAFile(5000);
    expect(r.records).toBe(5000);
    expect(r.rejected).toEqual([]);
    expect(r.accuracy).toBeGreaterThan(r.majority + 0.05);
  });

  it('operatorsByHand learns SEA on the holdout split too', async () => {
    const r = await operatorsByHand(4000);
    expect(r.holdoutAccuracy).toBeGreaterThan(0.8);
    expect(r.trainAccuracy).toBeGreaterThan(0.8);
  });

  it('driftDetector finds the change at record 2000 soon after, and not before', () => {
    const { detections } = driftDetector();
    expect(detections.length).toBeGreaterThan(0);
    expect(detections[0]).toBeGreaterThan(2000);
    expect(detections[0]).toBeLessThan(2300);
  });

  it('engines: the TF.js engine restored from the dense one predicts the same', () => {
    const r = engines();
    expect(r.steps).toBe(500);
    r.tfjs.forEach((p, i) => expect(p).toBeCloseTo(r.dense[i] as number, 5));
  });
});
