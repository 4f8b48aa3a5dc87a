import { describe, expect, it } from 'vitest';
import { throughput } from '../../src/report/throughput.js';
import { binaryLines } from './fixtures.js';

describe('throughput', () => {
  it('is the record rate of the run, from the seconds of the lines', () => {
    for (const rate of [500, 12_000]) {
      const points = throughput(binaryLines(200, { rate }));
      expect(points.length).toBeGreaterThanOrEqual(30);
      for (const [, r] of points) expect(r).toBeCloseTo(rate, 3);
    }
  });

  it('uses the times when a line has no seconds, and skips a clock that goes back', () => {
    const t0 = Date.parse('2025-01-01T00:00:00Z');
    const lines = Array.from({ length: 10 }, (_, i) => ({
      records: (i + 1) * 1000,
      // 2000 records/s, then a restart whose clock is an hour earlier
      time: new Date(t0 + (i < 5 ? i * 500 : i * 500 - 3_600_000)).toISOString(),
    }));
    const points = throughput(lines);
    expect(points.length).toBeGreaterThan(0);
    for (const [, r] of points) expect(r).toBeCloseTo(2000, 6);
  });
});
