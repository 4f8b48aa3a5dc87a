import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LabelDelayQueue } from '../../src/sinks/LabelDelayQueue.js';
import { ConfigError } from '../../src/errors.js';
import { labelDelay } from '../../src/sinks/labelDelay.js';

/** Runs `n` records through the queue; returns the send sequence: 'F3' features of record 3, 'L3' its label. */
function sequence(n: number, delay: number | (() => number), withLabel: (i: number) => boolean = () => true): string[] {
  const queue = new LabelDelayQueue(delay);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    out.push(`F${i}`);
    for (const due of queue.afterFeatures(withLabel(i) ? { key: String(i), value: `{"label":${i}}` } : undefined)) out.push(`L${due.features}`);
  }
  for (const due of queue.end()) out.push(`L${due.features}`);
  return out;
}

describe('LabelDelayQueue', () => {
  it('a fixed delay N puts exactly N later feature records before each label, and flushes the rest in order at the end', () => {
    for (const [n, delay] of [[10, 3], [10, 0], [5, 7], [1000, 500]] as const) {
      const seq = sequence(n, delay);
      expect(seq.filter((s) => s.startsWith('F'))).toHaveLength(n);
      expect(seq.filter((s) => s.startsWith('L'))).toEqual(Array.from({ length: n }, (_, i) => `L${i}`));
      for (let i = 0; i < n; i++) {
        const before = seq.slice(0, seq.indexOf(`L${i}`)).filter((s) => s.startsWith('F')).length;
        expect(before, `label ${i}`).toBe(Math.min(i + delay + 1, n));
      }
    }
    expect(sequence(4, 1)).toEqual(['F0', 'F1', 'L0', 'F2', 'L1', 'F3', 'L2', 'L3']);
  });

  it('a random delay: label i after the features of record i + delay(i) (or the last), labels in due order (ties in record order)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 0, max: 1000 }), (n, seed) => {
        const delays = Array.from({ length: n }, labelDelay('uniform:0:60', seed));
        let k = 0;
        const seq = sequence(n, () => delays[k++]!);
        const due = (i: number): number => i + delays[i]!;
        const labels = seq.filter((s) => s.startsWith('L')).map((s) => Number(s.slice(1)));
        expect([...labels].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
        for (let j = 1; j < labels.length; j++) {
          const [a, b] = [labels[j - 1]!, labels[j]!];
          expect(due(a) < due(b) || (due(a) === due(b) && a < b)).toBe(true);
        }
        for (const i of labels) {
          expect(seq.slice(0, seq.indexOf(`L${i}`)).filter((s) => s.startsWith('F')).length).toBe(Math.min(due(i) + 1, n));
        }
      }),
      { numRuns: 50 },
    );
  });

  it('a record with no label is counted but adds no label', () => {
    expect(sequence(5, 1, (i) => i !== 2)).toEqual(['F0', 'F1', 'L0', 'F2', 'L1', 'F3', 'F4', 'L3', 'L4']);
  });

  it('rejects a sampler that gives a negative or fractional delay, naming the record', () => {
    const queue = new LabelDelayQueue(() => -1);
    expect(() => queue.afterFeatures({ key: '0', value: '{}' })).toThrow(ConfigError);
    expect(() => new LabelDelayQueue(() => 0.5).afterFeatures({ key: '0', value: '{}' })).toThrow(/got 0\.5 for record 0/);
  });
});
