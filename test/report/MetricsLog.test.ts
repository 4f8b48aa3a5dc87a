import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MetricsLog } from '../../src/telemetry/MetricsLog.js';

const read = (path: string) => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

const report = (total: number, drift: boolean) => ({
  drift: drift ? { detector: 'adwin', signal: 'prequential_error' as const, index: total - 3 } : null,
  counts: { total, rejectedByReason: { non_numeric: 2 } },
  evaluation: { baselines: { majority: { window: { accuracy: 0.6 }, cumulative: { accuracy: 0.55 } } } },
});

describe('MetricsLog', () => {
  it('completes periodic lines with seconds, windowed baselines and rejects by reason, and logs drift detections', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'mlog-')), 'm.jsonl');
    const log = new MetricsLog(path);
    log.write({ records: 10, window: {} }); // before any report: only the seconds
    log.observe(report(64, true));
    log.write({ records: 64, window: {}, learningRate: 0.001 });
    log.write({ type: 'tuning', records: 64, reason: 'drift' });
    log.close();
    const [first, drift, line, tuning] = read(path);
    expect(Object.keys(first as object)).toEqual(['records', 'window', 'seconds']);
    expect(drift).toMatchObject({ type: 'drift', records: 64, detector: 'adwin', signal: 'prequential_error', index: 61 });
    expect(line).toMatchObject({ records: 64, learningRate: 0.001, baselines: { majority: { window: { accuracy: 0.6 } } }, rejectedByReason: { non_numeric: 2 } });
    expect(line?.seconds).toBeGreaterThanOrEqual(0);
    expect(tuning).toEqual({ type: 'tuning', records: 64, reason: 'drift' });
  });

  it('opens a temporary log for a report alone, removed on close', () => {
    expect(MetricsLog.forRun({})).toBeUndefined();
    const log = MetricsLog.forRun({ report: 'r.html' }) as MetricsLog;
    log.write({ records: 1 });
    expect(existsSync(log.path)).toBe(true);
    log.close();
    expect(existsSync(log.path)).toBe(false);
  });
});
