import { describe, expect, it } from 'vitest';
import type { DriftDetector } from '../../src/drift/DriftDetector.js';
import { CheckpointError } from '../../src/errors.js';

/** What the shared contract test needs to know about one detector. */
export interface ContractSetup {
  /** A fresh detector, always with the same settings. */
  readonly make: () => DriftDetector;
  /** A stream with one abrupt change at `shiftAt`. */
  readonly shifted: readonly number[];
  readonly shiftAt: number;
  /** The first detection must come at most this many updates after the change. */
  readonly maxDelay: number;
  /** A value repeated into a constant stream, which must raise nothing. */
  readonly constant: number;
}

/** What a detector signalled on every update: 'D' drift, 'W' warning, '.' nothing. */
export function trace(detector: DriftDetector, xs: readonly number[]): string {
  return xs
    .map((x) => {
      detector.update(x);
      return detector.driftDetected ? 'D' : detector.warningDetected ? 'W' : '.';
    })
    .join('');
}

/** Indices of the updates after which a drift was signalled. */
export function detections(detector: DriftDetector, xs: readonly number[]): number[] {
  return [...trace(detector, xs)].flatMap((c, i) => (c === 'D' ? [i] : []));
}

/**
 * The behaviour every drift detector shares (River's style: one contract run over every detector):
 * quiet on a constant stream, a detection soon after an abrupt change, snapshots that continue
 * identically through JSON, reset, non-finite inputs skipped, corrupt snapshots refused.
 */
export function describeDetectorContract(label: string, setup: ContractSetup): void {
  const { make, shifted, shiftAt, maxDelay, constant } = setup;

  describe(`${label}: DriftDetector contract`, () => {
    it('raises nothing on a constant stream', () => {
      expect(trace(make(), Array.from({ length: 5000 }, () => constant))).toBe('.'.repeat(5000));
    });

    it(`detects the change at ${shiftAt} within ${maxDelay} updates, and nothing before it`, () => {
      const found = detections(make(), shifted);
      expect(found.filter((i) => i < shiftAt)).toEqual([]);
      expect(found[0]).toBeGreaterThanOrEqual(shiftAt);
      expect(found[0]).toBeLessThanOrEqual(shiftAt + maxDelay);
    });

    it('sets driftDetected for exactly one update per detection, then starts afresh', () => {
      const d = make();
      const first = detections(make(), shifted)[0] as number;
      trace(d, shifted.slice(0, first + 1));
      expect(d.driftDetected).toBe(true);
      d.update(shifted[first + 1] as number);
      expect(d.driftDetected).toBe(false);
      // After the detection the detector behaves as a fresh one fed from the following update on.
      expect(trace(d, shifted.slice(first + 2))).toBe(trace(make(), shifted.slice(first + 1)).slice(1));
    });

    it('continues identically from a JSON round-tripped snapshot (also right after a detection)', () => {
      const first = detections(make(), shifted)[0] as number;
      for (const cut of [0, 1, 57, shiftAt - 1, first, first + 1, shifted.length - 1]) {
        const a = make();
        trace(a, shifted.slice(0, cut));
        const b = make();
        b.restore(JSON.parse(JSON.stringify(a.snapshot())));
        expect(b.snapshot(), `cut ${cut}`).toEqual(a.snapshot());
        expect(b.driftDetected).toBe(a.driftDetected);
        expect(trace(b, shifted.slice(cut)), `cut ${cut}`).toBe(trace(a, shifted.slice(cut)));
        expect(b.stats()).toEqual(a.stats());
      }
    });

    it('snapshots hold only JSON data, no settings', () => {
      const d = make();
      trace(d, shifted.slice(0, shiftAt + maxDelay));
      const snap = d.snapshot();
      expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
      for (const key of Object.keys(d.settings)) expect(snap as object).not.toHaveProperty(key);
    });

    it('reset() goes back to the state of a fresh detector', () => {
      const d = make();
      trace(d, shifted);
      d.reset();
      const fresh = make();
      expect(d.driftDetected).toBe(false);
      expect(d.stats()).toEqual(fresh.stats());
      expect(trace(d, shifted)).toBe(trace(fresh, shifted));
    });

    it('skips non-finite inputs: they change no statistic and signal no drift', () => {
      const withGaps: number[] = [];
      const gaps = new Set<number>();
      shifted.forEach((x, i) => {
        if (i % 97 === 5) {
          gaps.add(withGaps.length);
          withGaps.push(i % 2 ? NaN : -Infinity);
        }
        withGaps.push(x);
      });
      const gapped = trace(make(), withGaps);
      expect([...gaps].filter((i) => gapped[i] === 'D')).toEqual([]);
      expect([...gapped].filter((_, i) => !gaps.has(i)).join('')).toBe(trace(make(), shifted));
    });

    it('stats() reports numbers', () => {
      const d = make();
      trace(d, shifted.slice(0, 200));
      const stats = d.stats();
      expect(Object.keys(stats).length).toBeGreaterThan(0);
      for (const v of Object.values(stats)) expect(typeof v).toBe('number');
    });

    it('refuses corrupt snapshots with a CheckpointError and keeps its state', () => {
      const d = make();
      trace(d, shifted.slice(0, 100));
      const before = d.snapshot();
      for (const bad of [null, 42, [], {}, { ...(before as object), n: -1, width: -1, values: 'x', rows: 3 }]) {
        expect(() => d.restore(bad)).toThrow(CheckpointError);
      }
      expect(d.snapshot()).toEqual(before);
    });
  });
}
