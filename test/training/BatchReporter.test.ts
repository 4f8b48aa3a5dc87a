import { describe, expect, it } from 'vitest';
import { Evaluator } from '../../src/eval/Evaluator.js';
import type { BatchReport } from '../../src/pipeline.js';
import { emptyCounts } from '../../src/records/RecordCounts.js';
import { Telemetry } from '../../src/telemetry/registry.js';
import { BatchReporter } from '../../src/training/BatchReporter.js';
import type { TuningEvent } from '../../src/tune/TuningEvent.js';
import { scoredBatch } from '../support/scoredBatch.js';

const event: TuningEvent = {
  time: '2026-11-30T00:00:00.000Z',
  records: 640,
  batches: 20,
  reason: 'drift',
  param: 'learningRate',
  old: 0.001,
  new: 0.003,
  signals: { detector: 'pageHinkley' },
};

function report(total: number, extra: Partial<BatchReport> = {}): BatchReport {
  const batch = scoredBatch([{ y: 1, split: 'train', p: [0.9] }]);
  const evaluator = new Evaluator({ task: 'binary', classes: 2, window: 10 });
  evaluator.update(batch);
  return {
    batch,
    evaluation: evaluator.get(),
    counts: { ...emptyCounts(), total, trained: total },
    doneThrough: total - 1,
    drift: null,
    decision: { hp: { learningRate: 0.001, l2: 0.001 }, events: [], actions: [] },
    ...extra,
  };
}

describe('BatchReporter', () => {
  it('sends drifts and tuning events to the log, metrics, metrics log and events topic, and keeps the events', async () => {
    const telemetry = new Telemetry();
    const logged: string[] = [];
    const metricsLog: object[] = [];
    const events: string[] = [];
    const progress: number[] = [];
    const reporter = new BatchReporter(
      {
        telemetry,
        log: { info: (_o: object, message: string) => void logged.push(message) } as never,
        progress: { update: (s) => void progress.push(s.records) },
        metricsLog: { write: (e) => void metricsLog.push(e) },
        events: { write: (m) => void events.push(m.value) },
      },
      { hyperParams: () => ({ learningRate: 0.003, l2: 0.001 }), detectorStats: () => ({}), tensors: () => 7 },
      { logEvery: 1000 },
    );
    reporter.report(
      report(640, {
        drift: { detector: 'pageHinkley', signal: 'prequential_error', index: 600 },
        decision: { hp: { learningRate: 0.003, l2: 0.001 }, events: [event], actions: [] },
      }),
    );
    expect(logged).toEqual(['drift detected by pageHinkley at record 600', 'tuner: drift learningRate 0.001 -> 0.003']);
    expect(events.map((v) => JSON.parse(v).type)).toEqual(['drift', 'tuning']);
    expect(metricsLog).toEqual([{ type: 'tuning', ...event }]);
    expect(reporter.tuningEvents).toEqual([event]);
    expect(progress).toEqual([640]);
    const metrics = await telemetry.registry.metrics();
    expect(metrics).toMatch(/streamtune_drift_detected_total\{detector="pageHinkley"\} 1/);
    expect(metrics).toMatch(/streamtune_tensors 7/);
  });

  it('writes a metrics-log line each time the record count passes a multiple of logEvery', () => {
    const lines: Array<{ records?: number; learningRate?: number }> = [];
    const reporter = new BatchReporter(
      { telemetry: new Telemetry(), log: { info: () => {} } as never, progress: { update: () => {} }, metricsLog: { write: (e) => void lines.push(e) } },
      { hyperParams: () => ({ learningRate: 0.002, l2: 0 }), detectorStats: () => ({}), tensors: () => 0 },
      { logEvery: 100 },
    );
    for (const total of [32, 96, 128, 160, 256, 320]) reporter.report(report(total));
    expect(lines.map((l) => l.records)).toEqual([128, 256, 320]);
    expect(lines[0]?.learningRate).toBe(0.002);
  });
});
