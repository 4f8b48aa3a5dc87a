import { describe, expect, it } from 'vitest';
import { parseMetricsLog } from '../../src/report/parseMetricsLog.js';
import { binaryLines } from './fixtures.js';

const jsonl = (entries: object[]) => entries.map((e) => JSON.stringify(e)).join('\n') + '\n';

describe('parseMetricsLog', () => {
  it('splits periodic lines, drift detections and tuning events, and leaves out broken lines with a note', () => {
    const lines = binaryLines(5);
    const text =
      jsonl([
        lines[0] as object,
        { type: 'drift', time: 't', records: 1500, detector: 'adwin', signal: 'prequential_error', index: 1499 },
        lines[1] as object,
        { type: 'tuning', time: 't', records: 2100, batches: 66, reason: 'drift', param: 'learningRate', old: 0.001, new: 0.003, signals: {} },
        ...lines.slice(2),
      ]) + '{"records": 6000, "win';
    const run = parseMetricsLog(text, 'm.jsonl');
    expect(run.lines.map((l) => l.records)).toEqual([1000, 2000, 3000, 4000, 5000]);
    expect(run.drifts).toEqual([{ records: 1500, label: 'drift: adwin on prequential_error at record index 1499', time: 't' }]);
    expect(run.tuning.map((e) => [e.records, e.label])).toEqual([[2100, 'tuning (drift): learningRate 0.001 -> 0.003']]);
    expect(run.notes.join(' ')).toMatch(/1 line\(s\) of m\.jsonl were not JSON/);
  });

  it('shows the last of several runs appended to one file', () => {
    const first = binaryLines(4);
    const second = binaryLines(2);
    const text = jsonl([...first, { type: 'drift', records: 3500, detector: 'ddm' }, ...second, { type: 'drift', records: 1800, detector: 'ddm' }]);
    const run = parseMetricsLog(text, 'm.jsonl');
    expect(run.lines.map((l) => l.records)).toEqual([1000, 2000]);
    expect(run.drifts.map((e) => e.records)).toEqual([1800]);
    expect(run.notes.join(' ')).toMatch(/2 runs/);
  });

  it('names the file when it holds no metrics line', () => {
    expect(() => parseMetricsLog(jsonl([{ type: 'tuning', records: 5 }]), 'empty.jsonl')).toThrow(/empty\.jsonl holds no metrics lines/);
  });
});
