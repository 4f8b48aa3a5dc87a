/**
 * Use a drift detector on its own: feed it a signal one value at a time and read its flag.
 * `npm test` runs it (test/docs/examples.test.ts); copy it and import from the package (`streamtune`) to use it.
 */
import { createDetector } from '../../src/drift/createDetector.js';

export function driftDetector() {
  const detector = createDetector({ type: 'adwin', delta: 0.002 });
  const detections: number[] = [];
  for (let i = 0; i < 4000; i++) {
    const error = i < 2000 ? (i % 10 === 0 ? 1 : 0) : i % 2; // 10% errors, then 50% from record 2000
    detector.update(error);
    if (detector.driftDetected) detections.push(i);
  }
  return { detections, snapshot: detector.snapshot() };
}

